import { RelayErrorName } from '@pairline/wire'
import type { BrokerStats } from './broker/types.js'

/** Counters the relay keeps. No topic, payload or address ever becomes a label. */
export class Metrics {
  connections = 0
  connectionsTotal = 0
  messagesIn = 0
  messagesOut = 0
  bytesIn = 0
  /** 1 while the broker's storage (Redis) is unusable */
  storageDegraded = 0
  /** times the storage reported lost messages (a new epoch) */
  mailboxLost = 0
  readonly drops = new Map<string, number>()
  readonly limitHits = new Map<string, number>()
  readonly errors = new Map<string, number>()

  drop(reason: string, n = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + n)
  }

  limit(name: string): void {
    this.limitHits.set(name, (this.limitHits.get(name) ?? 0) + 1)
  }

  error(code: number): void {
    const name = RelayErrorName[code as keyof typeof RelayErrorName] ?? String(code)
    this.errors.set(name, (this.errors.get(name) ?? 0) + 1)
  }

  /** Prometheus text exposition format 0.0.4. */
  render(broker: BrokerStats, subscriptions: number, pendingUpgrades: number): string {
    const lines: string[] = []
    const metric = (name: string, type: 'gauge' | 'counter', help: string, rows: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [labels, value] of rows) lines.push(`${name}${labels} ${value}`)
    }
    const labelled = (label: string, m: Map<string, number>): [string, number][] =>
      [...m.entries()].sort().map(([k, v]) => [`{${label}="${k}"}`, v])
    metric('pairline_relay_connections', 'gauge', 'Open WebSocket connections.', [['', this.connections]])
    metric('pairline_relay_connections_total', 'counter', 'Connections accepted since start.', [
      ['', this.connectionsTotal],
    ])
    metric('pairline_relay_pending_upgrades', 'gauge', 'TCP connections not yet upgraded.', [
      ['', pendingUpgrades],
    ])
    metric('pairline_relay_topics', 'gauge', 'Topics with subscribers or stored messages.', [
      ['', broker.topics],
    ])
    metric('pairline_relay_subscriptions', 'gauge', 'Topic subscriptions of open connections.', [
      ['', subscriptions],
    ])
    metric('pairline_relay_mailbox_messages', 'gauge', 'Messages stored until acked or expired.', [
      ['', broker.mailboxMessages],
    ])
    metric('pairline_relay_mailbox_bytes', 'gauge', 'Payload bytes stored.', [['', broker.mailboxBytes]])
    metric('pairline_relay_messages_in_total', 'counter', 'Messages published and accepted.', [
      ['', this.messagesIn],
    ])
    metric('pairline_relay_messages_out_total', 'counter', 'Messages sent to subscribers.', [
      ['', this.messagesOut],
    ])
    metric('pairline_relay_bytes_in_total', 'counter', 'Payload bytes accepted.', [['', this.bytesIn]])
    metric('pairline_relay_expired_total', 'counter', 'Stored messages dropped at the end of their TTL.', [
      ['', broker.expired],
    ])
    metric('pairline_relay_storage_degraded', 'gauge', '1 while the shared storage (Redis) is unusable.', [
      ['', this.storageDegraded],
    ])
    metric('pairline_relay_mailbox_lost_total', 'counter', 'Times the storage lost stored messages.', [
      ['', this.mailboxLost],
    ])
    metric('pairline_relay_evicted_total', 'counter', 'Stored messages evicted to make room for others.', [
      ['', broker.evicted],
    ])
    const mem = process.memoryUsage()
    metric('pairline_relay_memory_bytes', 'gauge', 'Memory of the relay process, by kind.', [
      ['{kind="rss"}', mem.rss],
      ['{kind="heap_used"}', mem.heapUsed],
      ['{kind="array_buffers"}', mem.arrayBuffers],
    ])
    metric(
      'pairline_relay_drops_total',
      'counter',
      'Messages or connections dropped, by reason.',
      labelled('reason', this.drops),
    )
    metric(
      'pairline_relay_limit_hits_total',
      'counter',
      'Requests refused by a limit, by limit.',
      labelled('limit', this.limitHits),
    )
    metric(
      'pairline_relay_errors_total',
      'counter',
      'Error frames sent, by code.',
      labelled('code', this.errors),
    )
    return `${lines.join('\n')}\n`
  }
}
