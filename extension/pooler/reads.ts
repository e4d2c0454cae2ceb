// Reused read buffers for plain TCP sockets (see SocketReads).

const READ_BUFFER_SIZE = 64 * 1024;

/**
 * Where a plain-TCP socket reads into. Node normally allocates a fresh 64 KB buffer per read;
 * a reused buffer (net `onread`) saves that on the hot path. Data handed to a socket write that did
 * not complete synchronously still points into the buffer, so it is then retired and replaced.
 */
export class SocketReads {
  handler: (chunk: Buffer) => void = () => {};
  private buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  private retired = false;
  /** True when bytes arrive in the reused buffer (consumers must copy what they keep). */
  reused = false;

  next = (): Buffer => {
    if (this.retired) {
      this.buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
      this.retired = false;
    }
    return this.buffer;
  };

  onRead = (length: number, buffer: Uint8Array): boolean => {
    this.handler((buffer as Buffer).subarray(0, length));
    return true;
  };

  /** The current buffer's bytes are still referenced by a pending write: read into a new one. */
  retire(): void {
    this.retired = true;
  }
}
