/**
 * Open guest sockets, as process state (not in the store: a socket cannot be persisted). A connection
 * belongs to the deployment in its URL and, once it has sent configureSession, to one session token.
 * Broadcasts go to every connection of a token: the guest's other tabs see the same conversation.
 */
export interface GuestSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake (fault injection). */
  terminate(): void;
}

export interface GuestConnection {
  readonly socket: GuestSocket;
  readonly deploymentId: string;
  /** Set by configureSession; cleared by closeSession and when the session ends. */
  token?: string;
}

export class ConnectionRegistry {
  #byToken = new Map<string, Set<GuestConnection>>();
  #all = new Set<GuestConnection>();

  open(connection: GuestConnection): void {
    this.#all.add(connection);
  }

  /** The socket went away: forget it everywhere. */
  closed(connection: GuestConnection): void {
    this.detach(connection);
    this.#all.delete(connection);
  }

  attach(connection: GuestConnection, token: string): void {
    if (connection.token !== undefined && connection.token !== token) this.detach(connection);
    connection.token = token;
    let set = this.#byToken.get(token);
    if (!set) {
      set = new Set();
      this.#byToken.set(token, set);
    }
    set.add(connection);
  }

  detach(connection: GuestConnection): void {
    const token = connection.token;
    if (token === undefined) return;
    connection.token = undefined;
    const set = this.#byToken.get(token);
    set?.delete(connection);
    if (set?.size === 0) this.#byToken.delete(token);
  }

  of(token: string): GuestConnection[] {
    return [...(this.#byToken.get(token) ?? [])];
  }

  broadcast(token: string, text: string): void {
    for (const connection of this.#byToken.get(token) ?? []) connection.socket.send(text);
  }

  /** Detaches and closes the given connections, telling each why first when a frame is given. */
  drop(
    connections: Iterable<GuestConnection>,
    frame: string | undefined,
    code: number,
    reason: string,
  ): void {
    for (const connection of [...connections]) {
      this.detach(connection);
      if (frame !== undefined) connection.socket.send(frame);
      connection.socket.close(code, reason);
    }
  }

  /** Reset or shutdown: every socket closes. */
  closeAll(code: number, reason: string): void {
    const all = [...this.#all];
    this.#all.clear();
    this.#byToken.clear();
    for (const connection of all) {
      connection.token = undefined;
      connection.socket.close(code, reason);
    }
  }
}
