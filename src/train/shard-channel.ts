/**
 * The shared memory between the training thread and one shard thread of a data-parallel network: a few
 * control words, the parameters the shard computes with, the gradients it sends back, and room for its rows
 * of a batch. The training loop is synchronous, so both sides hand work over with Atomics (wait and notify),
 * never with messages, which would need the event loop the loop holds.
 */

/** Control words: the request counter, what is asked, of how many rows, the answer counter, the outcome. */
const REQUEST = 0;
const COMMAND = 1;
const ROWS = 2;
const ANSWERED = 3;
const FAILED = 4;
const ERROR_LENGTH = 5;
const READY = 6;
const CONTROL_WORDS = 8;
const ERROR_BYTES = 4096;

export const ShardCommand = { Forward: 1, Backward: 2, Exit: 3 } as const;
export type ShardCommand = (typeof ShardCommand)[keyof typeof ShardCommand];

/** The sizes a channel is made for: every parameter, and the most rows of an input and a forecast. */
export interface ChannelSizes {
  params: number;
  rows: number;
  /** Floats of one input row (`inputWidth`: the window, then its features when it has them). */
  inputWidth: number;
  horizon: number;
}

/** Views on one shared buffer; both threads build the same views from the buffer and the sizes. */
export interface ShardChannel {
  buffer: SharedArrayBuffer;
  sizes: ChannelSizes;
  control: Int32Array;
  params: Float32Array;
  grads: Float32Array;
  /** The shard's rows of the batch `[rows, inputWidth]`. */
  input: Float32Array;
  /** Its forward output, then the gradient of the loss with respect to it (`[rows, horizon]`). */
  output: Float32Array;
  errorText: Uint8Array;
}

export function createChannel(sizes: ChannelSizes): ShardChannel {
  const floats = 2 * sizes.params + sizes.rows * (sizes.inputWidth + sizes.horizon);
  return channelOn(new SharedArrayBuffer(CONTROL_WORDS * 4 + floats * 4 + ERROR_BYTES), sizes);
}

export function channelOn(buffer: SharedArrayBuffer, sizes: ChannelSizes): ShardChannel {
  let offset = CONTROL_WORDS * 4;
  const floats = (length: number) => {
    const view = new Float32Array(buffer, offset, length);
    offset += length * 4;
    return view;
  };
  const control = new Int32Array(buffer, 0, CONTROL_WORDS);
  const params = floats(sizes.params);
  const grads = floats(sizes.params);
  const input = floats(sizes.rows * sizes.inputWidth);
  const output = floats(sizes.rows * sizes.horizon);
  return { buffer, sizes, control, params, grads, input, output, errorText: new Uint8Array(buffer, offset) };
}

/** A shard that has not answered in this long has died or hangs; the training fails rather than wait forever. */
const ANSWER_TIMEOUT_MS = 120_000;

/** The training thread's side: ask for a command over `rows` rows; `awaitAnswer` blocks until it is done. */
export function request(channel: ShardChannel, command: ShardCommand, rows: number): void {
  const { control } = channel;
  control[COMMAND] = command;
  control[ROWS] = rows;
  Atomics.add(control, REQUEST, 1);
  Atomics.notify(control, REQUEST);
}

export function awaitAnswer(channel: ShardChannel, what: string): void {
  const { control } = channel;
  const wanted = Atomics.load(control, REQUEST);
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  for (;;) {
    const answered = Atomics.load(control, ANSWERED);
    if (answered === wanted) break;
    if (Date.now() > deadline) throw new Error(`a network shard thread did not answer ${what} in time`);
    Atomics.wait(control, ANSWERED, answered, 1000);
  }
  if (Atomics.load(control, FAILED) !== 0) {
    const length = Atomics.load(control, ERROR_LENGTH);
    const message = new TextDecoder().decode(channel.errorText.slice(0, length));
    throw new Error(`a network shard thread failed: ${message}`);
  }
}

/** Blocks until the shard thread says it is ready (or failed while starting). */
export function awaitReady(channel: ShardChannel, timeoutMs: number): void {
  const { control } = channel;
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(control, READY) === 0) {
    if (Date.now() > deadline) throw new Error("a network shard thread did not start in time");
    Atomics.wait(control, READY, 0, 100);
  }
  if (Atomics.load(control, FAILED) !== 0) awaitAnswer(channel, "its start");
}

/** The shard thread's side when it cannot start: the training thread's wait for it ends with `error`. */
export function signalFailedStart(channel: ShardChannel, error: unknown): void {
  recordFailure(channel, error);
  signalReady(channel);
}

function signalReady(channel: ShardChannel): void {
  Atomics.store(channel.control, READY, 1);
  Atomics.notify(channel.control, READY);
}

/**
 * The shard thread's loop: says it is ready, then waits for each request, runs `handle(command, rows)` and
 * answers (recording what it threw), until asked to exit.
 */
export function serveRequests(
  channel: ShardChannel,
  handle: (command: ShardCommand, rows: number) => void,
): void {
  const { control } = channel;
  // Read before saying ready: a request made the moment after must not be taken for one already seen.
  let seen = Atomics.load(control, REQUEST);
  signalReady(channel);
  for (;;) {
    Atomics.wait(control, REQUEST, seen);
    seen = Atomics.load(control, REQUEST);
    const command = control[COMMAND] as ShardCommand;
    if (command === ShardCommand.Exit) return;
    try {
      handle(command, control[ROWS]);
    } catch (error) {
      recordFailure(channel, error);
    }
    Atomics.store(control, ANSWERED, seen);
    Atomics.notify(control, ANSWERED);
  }
}

function recordFailure(channel: ShardChannel, error: unknown): void {
  const text = new TextEncoder().encode(error instanceof Error ? error.message : String(error));
  const length = Math.min(text.length, channel.errorText.length);
  channel.errorText.set(text.subarray(0, length));
  Atomics.store(channel.control, ERROR_LENGTH, length);
  Atomics.store(channel.control, FAILED, 1);
}
