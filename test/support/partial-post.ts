/** Posts that upload slowly, to see whether the server answers before the body is in. */
import { request } from "node:http";

/** What a partial upload saw: the answer, how many body bytes had gone out by then, and whether the server hung up. */
export interface PartialPost {
  readonly status: number;
  readonly sentBeforeAnswer: number;
  /** True once the server closed the connection (within `closeWithinMs` of its answer). */
  readonly closed: boolean;
}

/**
 * Sends headers (with `Content-Length: declared`, or chunked when it is null) and then up to `total` body
 * bytes in 64 kB chunks, each after the last has drained, stopping as soon as the answer arrives. Never
 * sends the whole body when the server answers early, so a server that waits for it times out the test.
 */
export function partialPost(url: string, headers: Record<string, string>, options: { declared: number | null; total: number; closeWithinMs?: number; timeoutMs?: number }): Promise<PartialPost> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    let answered: number | null = null;
    let sentAtAnswer = 0;
    const req = request(url, { method: "POST", headers: { ...headers, ...(options.declared === null ? {} : { "content-length": String(options.declared) }) } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer after ${sent} bytes`));
    }, options.timeoutMs ?? 10_000);
    req.on("response", (res) => {
      answered = res.statusCode ?? 0;
      sentAtAnswer = sent;
      res.resume();
      const hangUp = setTimeout(() => finish(false), options.closeWithinMs ?? 2_000);
      req.socket?.once("close", () => {
        clearTimeout(hangUp);
        finish(true);
      });
    });
    req.on("error", () => undefined); // the server hanging up mid-upload is what some tests want
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status: answered!, sentBeforeAnswer: sentAtAnswer, closed });
    };
    const pump = () => {
      while (answered === null && sent < options.total && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
    };
    req.flushHeaders();
    pump();
  });
}
