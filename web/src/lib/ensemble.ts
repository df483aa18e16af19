/** How an ensemble method combines the members' forecasts of a series, in a reader's words. */
export function ensembleMethodText(method: string | undefined): string {
  switch (method) {
    case "select":
      return "each series takes its one member with the lowest cross-validation error";
    case "weighted":
      return "each series weighs its best members by their cross-validation errors";
    case "pooled":
      return "every series shares one set of weights, fitted to the cross-validation errors of all of them";
    case "mean":
      return "each series takes the plain mean of its members";
    default:
      return "each series combines them by their cross-validation errors";
  }
}
