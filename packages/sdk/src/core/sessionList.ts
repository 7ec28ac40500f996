/** The live sessions of one dApp or wallet client; a session leaves the list when it ends. */
export class SessionList<S extends { id: string; on(event: 'disconnect', fn: () => void): unknown }> {
  readonly #items: S[] = []

  add(s: S): S {
    this.#items.push(s)
    s.on('disconnect', () => {
      const i = this.#items.indexOf(s)
      if (i >= 0) this.#items.splice(i, 1)
    })
    return s
  }

  has(id: string): boolean {
    return this.#items.some((s) => s.id === id)
  }

  get all(): S[] {
    return [...this.#items]
  }
}
