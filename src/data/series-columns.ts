/**
 * One series' rows as they are read: days (since 1970) and values in typed arrays that double when full, so a
 * row costs 12 bytes instead of two boxed numbers in two arrays. Remembers the last row for the order check.
 */
export class SeriesColumns {
  length = 0;
  lastDay = 0;
  lastLine = 0;
  private days = new Int32Array(16);
  private values = new Float64Array(16);

  push(day: number, value: number, line: number): void {
    if (this.length === this.days.length) {
      const days = new Int32Array(this.length * 2);
      days.set(this.days);
      this.days = days;
      const values = new Float64Array(this.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.days[this.length] = day;
    this.values[this.length] = value;
    this.length++;
    this.lastDay = day;
    this.lastLine = line;
  }

  /** The rows read, in arrays of their exact length. */
  finish(): { days: Int32Array; values: Float64Array } {
    return { days: this.days.slice(0, this.length), values: this.values.slice(0, this.length) };
  }
}
