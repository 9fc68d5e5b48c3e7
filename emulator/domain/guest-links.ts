/**
 * How the control plane reaches the guest channels' sockets without knowing their internals: each
 * guest surface registers a function that drops (without a closing handshake, like a network failure)
 * the sockets of one conversation and says how many it dropped.
 */
export type GuestSocketDropper = (conversationId: string) => number;

export class GuestLinks {
  #droppers: GuestSocketDropper[] = [];

  register(dropper: GuestSocketDropper): void {
    this.#droppers.push(dropper);
  }

  drop(conversationId: string): number {
    return this.#droppers.reduce((n, drop) => n + drop(conversationId), 0);
  }
}
