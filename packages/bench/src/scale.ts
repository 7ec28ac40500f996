/**
 * The scale rows (issue 16): one relay process carrying BENCH_SCALE_SESSIONS (10,000) sessions at
 * 1 request/s each, beside the bare router under the same load (scaleRelay.ts); a real wallet
 * holding BENCH_SCALE_WALLET (100) sessions beside the same wallet with one (scaleWallet.ts).
 * `pnpm bench:scale` runs these alone and rewrites only the scale sections of BENCHMARKS.md.
 */
import type { Row } from './measure.js'
import { measureScale, pick, SCALE, type ScaleOptions, type ScaleResult } from './scaleRelay.js'
import { SCALE_SECTION_PREFIX } from './scaleSection.js'
import { measureWallet, WALLET_SESSIONS, type WalletPoint } from './scaleWallet.js'

const n = (v: number) => v.toLocaleString('en-US')

export function relayScaleRows(r: {
  floor: ScaleResult[]
  relay: ScaleResult[]
  options: ScaleOptions
  capped?: string
}): Row[] {
  const o = r.options
  const section = `${SCALE_SECTION_PREFIX}: one relay process, ${n(o.sessions)} sessions (${n(2 * o.sessions)} sockets), 1 request/s per session`
  const baselineName = 'bare ws topic router (corked, no mailbox, acks answered OK and dropped), same load'
  const both = (k: keyof ScaleResult) => ({
    ours: pick(r.relay, k),
    baselineName,
    baseline: pick(r.floor, k),
  })
  const lost = r.relay.reduce((a, x) => a + x.lost + x.errors, 0)
  const slowest = Math.min(...pick([...r.relay, ...r.floor], 'answeredPerSecond'))
  const behind =
    slowest < 0.8 * o.sessions
      ? '; the load generator (one process holding every client socket, on the same cores) fell behind: the round trips are its queue, compare CPU per request'
      : ''
  return [
    {
      section,
      quantity: 'server RSS, all sessions open, under load',
      unit: 'MiB',
      ...both('rssMiB'),
      ...(r.capped ? { note: r.capped } : {}),
    },
    {
      section,
      quantity: 'server RSS per session (2 sockets, 2 topics), over the empty process',
      unit: 'B',
      ...both('rssPerSession'),
    },
    {
      section,
      quantity: `server CPU at ${n(o.sessions)} requests/s offered, over ${o.seconds} s`,
      unit: '% of a core',
      ...both('cpuPercent'),
    },
    {
      section,
      quantity:
        'server CPU per request (3 frames published, delivered and acked: 12 frames in reply mode 2, the router 15)',
      unit: 'µs',
      ...both('cpuPerRequest'),
    },
    {
      section,
      quantity: 'requests answered per second in the window',
      unit: 'req/s',
      ...both('answeredPerSecond'),
      note: `offered ${n(o.sessions)}/s; relay: ${lost} requests unanswered or refused after the run${behind}`,
    },
    {
      section,
      quantity: 'round trip p50 (dApp socket to wallet socket and back)',
      unit: 'ms',
      ...both('p50'),
    },
    { section, quantity: 'round trip p99', unit: 'ms', ...both('p99') },
  ]
}

export function walletScaleRows(w: { one: WalletPoint; many: WalletPoint; sessions: number }): Row[] {
  const section = `${SCALE_SECTION_PREFIX}: a wallet holding ${n(w.sessions)} sessions (real SDK, its own process)`
  const baselineName = 'the same wallet holding 1 session, same run'
  const mib = (b: number) => b / 2 ** 20
  return [
    {
      section,
      quantity: 'wallet process RSS after GC',
      unit: 'MiB',
      ours: [mib(w.many.stats.rss)],
      baselineName,
      baseline: [mib(w.one.stats.rss)],
    },
    {
      section,
      quantity: 'wallet JS heap after GC',
      unit: 'MiB',
      ours: [mib(w.many.stats.heapUsed)],
      baselineName,
      baseline: [mib(w.one.stats.heapUsed)],
    },
    {
      section,
      quantity: 'JS heap per held session',
      unit: 'KiB',
      ours: [(w.many.stats.heapUsed - w.one.stats.heapUsed) / (w.sessions - 1) / 1024],
    },
    {
      section,
      quantity: 'restore: close(), then createWallet + restoreSessions() on the same storage',
      unit: 'ms',
      ours: [w.many.restoreMs],
      baselineName,
      baseline: [w.one.restoreMs],
    },
    {
      section,
      quantity: '`personal_sign` round trip p50 (dApp in another process, relay in a child)',
      unit: 'ms',
      ours: [w.many.roundTripMs],
      baselineName,
      baseline: [w.one.roundTripMs],
    },
  ]
}

/** What the scale section says a session is (report.ts prints it above the scale tables). */
export function scaleDescription(o: ScaleOptions = SCALE): string[] {
  return [
    `Relay rows: each session is two WebSockets (the dApp's and the wallet's), each subscribed to its own`,
    `topic, through the real relay (packages/relay/bench/relayServer.ts) in a fresh child process; this`,
    'process holds the other ends. Once a second per session (spread evenly) the dApp socket publishes a',
    `${o.requestBytes} B frame (a sealed personal_sign request's size, measured) to the wallet's topic; the wallet socket`,
    `acks it and publishes a ${o.answerBytes} B answer to the dApp's topic; the dApp socket acks that and publishes one`,
    `more ${o.requestBytes} B frame, which the wallet acks: the SDK's frames per personal_sign (counted through a real relay,`,
    "one request per 120 ms: 3 PUBLISH, 3 ACK; the third is the dApp's bare channel ack, sent 50 ms after the answer",
    "when no request carries it, PROTOCOL §14.1; here at once). The relay's sockets offer reply mode 2",
    '(`pairline-relay.2`) as the SDK does: it answers no successful ACK and coalesces its OKs; the bare',
    "router's offer nothing, and it answers every frame. No Noise pairing and no sealing per session (the relay sees",
    `the same bytes either way). RSS and CPU are the server child's own (process.memoryUsage, process.cpuUsage),`,
    `CPU over a ${o.seconds} s window after ${o.warmSeconds} s of warm-up; ${o.rounds} round(s), fresh children; the RSS per`,
    'session is over the same child with nothing open, after a GC. Wallet rows: the real SDK (createWallet',
    'in a process of its own, memory storage, every pairing and request approved; real createDapp apps in',
    'the bench process). The wallet keeps one relay connection with one topic per session (up to four',
    'while one resumes); the default relay allows 1,024 per connection (it allowed 64 before, and the 65th',
    'pairing failed TOO_MANY_TOPICS), the bench relay 10,000. `pnpm bench:scale` measures these',
    'rows alone and rewrites only this section.',
  ]
}

export async function scaleRows(o: ScaleOptions = SCALE, walletSessions = WALLET_SESSIONS): Promise<Row[]> {
  if (walletSessions < 2) throw new Error('BENCH_SCALE_WALLET must be at least 2')
  const relay = relayScaleRows(await measureScale(o))
  return [...relay, ...walletScaleRows(await measureWallet(walletSessions))]
}
