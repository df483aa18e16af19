/**
 * What an answer may say about the server's files: a message naming a file keeps its last part (enough to
 * tell model.onnx from meta.json) and loses the folders, which tell a client how the machine is laid out.
 * URL paths of this API (/api/..., /docs, /metrics) are not files and stay.
 */
const FILE_PATH = /(?<![\w.])\/(?!api\/|docs\b|metrics\b|openapi)(?:[^\s'"`,;:()/]+\/)+([^\s'"`,;:()/]+)/g;

export function withoutPaths(message: string): string {
  return message.replace(FILE_PATH, "…/$1");
}

/** `withoutPaths`, and each secret (the admin token) replaced wherever it appears. */
export function redactor(secrets: readonly string[]): (message: string) => string {
  const present = secrets.filter((secret) => secret !== "");
  return (message) => {
    let text = withoutPaths(message);
    for (const secret of present) text = text.split(secret).join("[redacted]");
    return text;
  };
}
