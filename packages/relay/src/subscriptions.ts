/**
 * Subscriptions counted per client address and in all, for the topic limits (§13.5): a connection
 * may hold many topics (a wallet's sessions, several per session while it resumes), so the bounds
 * on memory are per address and in all, not only per connection.
 */
export class SubscriptionCounts {
  total = 0
  readonly #perSource = new Map<string, number>()

  of(source: string): number {
    return this.#perSource.get(source) ?? 0
  }

  add(source: string, n: number): void {
    this.total += n
    this.#perSource.set(source, this.of(source) + n)
  }

  remove(source: string, n: number): void {
    if (n === 0) return
    this.total -= n
    const left = this.of(source) - n
    if (left > 0) this.#perSource.set(source, left)
    else this.#perSource.delete(source)
  }
}
