// Reused read buffers for plain TCP sockets (see SocketReads).

const READ_BUFFER_SIZE = 64 * 1024;
/** Buffers of closed sockets kept for new ones (connection-per-transaction clients churn fast). */
const MAX_SPARE_BUFFERS = 64;
const spareBuffers: Buffer[] = [];

function takeBuffer(): Buffer {
  return spareBuffers.pop() ?? Buffer.allocUnsafe(READ_BUFFER_SIZE);
}

/**
 * Where a plain-TCP socket reads into. Node normally allocates a fresh 64 KB buffer per read;
 * a reused buffer (net `onread`) saves that on the hot path. Data handed to a socket write that did
 * not complete synchronously still points into the buffer, so it is then retired and replaced.
 * Each socket owns its buffer: libuv reads into the buffer a socket was given at its previous read,
 * so one buffer shared between sockets could be overwritten while a retired copy is still pending.
 */
export class SocketReads {
  handler: (chunk: Buffer) => void = () => {};
  private buffer: Buffer | null = null;
  private retired = false;
  /** True when bytes arrive in the reused buffer (consumers must copy what they keep). */
  reused = false;

  next = (): Buffer => {
    if (this.retired || !this.buffer) {
      this.buffer = takeBuffer();
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

  /** The socket is closed: its buffer, unless still referenced, can serve another socket. */
  release(): void {
    if (this.buffer && !this.retired && spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(this.buffer);
    this.buffer = null;
    this.retired = true;
  }
}
