/**
 * `pnpm demo`: a newcomer's first five minutes with Pairline. A dApp and a wallet, both in this
 * process, pair through a relay (QR code, 6-digit code), then the dApp uses viem on the session's
 * EIP-1193 provider to sign, send a transaction and switch chain on two local anvil chains. The
 * pairing also signs the user in (EIP-4361, verified by the dApp through @pairline/sdk/siwe).
 *
 *   pnpm demo                      everything automatic (CI)
 *   pnpm demo -- --interactive     you approve the pairing and each request (y/n)
 *   pnpm demo -- --relay ws://…    a relay you run instead of the embedded one
 */
import { createRelay, type Relay } from '@pairline/relay'
import { createDapp, type Dapp, type DappSession, type Pairing } from '@pairline/sdk'
import { toTerminal } from '@pairline/sdk/qr'
import { siweVerifier } from '@pairline/sdk/siwe'
import { createWallet, type Wallet, type WalletRequest, type WalletSession } from '@pairline/sdk/wallet'
import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import {
  createPublicClient,
  createWalletClient,
  custom,
  formatEther,
  http,
  parseEther,
  toHex,
  verifyMessage,
  verifyTypedData,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type DemoArgs, parseArgs, USAGE, UsageError } from './args.js'
import { describeRequest } from './describe.js'
import { Prompter } from './prompt.js'
import * as ui from './ui.js'

const CHAIN_A = 31337
const CHAIN_B = 31338
/** How long the dApp tries to reach the relay before giving up with a hint. */
const RELAY_CONNECT_TIMEOUT_MS = 8_000
/** Bound on each automatic step. In --interactive mode, the SDK's request expiry (5 min) applies. */
const STEP_TIMEOUT_MS = 20_000
const INTERACTIVE_STEP_TIMEOUT_MS = 310_000
const CLEANUP_STEP_TIMEOUT_MS = 3_000
/** PAIRLINE_DEMO_DEBUG=1: how long each cleanup takes, and what (if anything) still holds the process. */
const debug = Boolean(process.env.PAIRLINE_DEMO_DEBUG)

const DAPP_METADATA = {
  name: 'Pairline Demo dApp',
  url: 'https://demo.pairline.example',
  description: 'The dApp half of pnpm demo',
}
const WALLET_METADATA = { name: 'Pairline Demo Wallet', url: 'https://wallet.pairline.example' }

const STEPS = [
  'Local infrastructure: a relay and two anvil chains',
  'The dApp shows a pairing QR code',
  'The wallet scans the QR code; both show a 6-digit code',
  'The dApp uses viem on session.provider; the wallet approves each request',
  'The dApp disconnects',
] as const

/** What must be verified for exit code 0, in order, with what its time measures. */
const CHECKS = [
  ['pairing', 'pair() → approved'],
  ['personal_sign', 'round trip'],
  ['eth_signTypedData_v4', 'round trip'],
  ['eth_sendTransaction', 'round trip'],
  ['wallet_switchEthereumChain', 'round trip'],
  ['disconnect', 'until the wallet got it'],
] as const
type CheckName = (typeof CHECKS)[number][0]
type Result = { ok: boolean; detail: string; hint?: string | undefined; ms?: number; extra?: string }

/** A step that failed, with what to do about it. */
class StepError extends Error {
  override name = 'StepError'
  readonly hint: string | undefined
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.hint = hint
  }
}

const loadedAt = performance.now() // ms since the process started: the code is loaded
const results = new Map<CheckName, Result>()
let fatal: { step: string; detail: string; hint: string | undefined } | null = null
let currentStep = 0
/** Cleanup actions, run last-in first-out. */
const cleanups: { name: string; run: () => Promise<unknown> }[] = []
let prompter: Prompter | null = null
let stopping: Promise<void> | null = null

function heading(n: number): void {
  currentStep = n
  ui.heading(n, STEPS.length, STEPS[n - 1] as string)
}

function pass(name: CheckName, detail: string, ms: number, extra?: string): void {
  results.set(name, { ok: true, detail, ms, ...(extra ? { extra } : {}) })
  ui.ok(detail)
}

function fail(name: CheckName, err: unknown, hint?: string): void {
  const detail = errorText(err)
  const h = err instanceof StepError && err.hint ? err.hint : hint
  results.set(name, { ok: false, detail, hint: h })
  ui.fail(`${name}: ${detail}`)
  if (h) ui.line(`    ${ui.yellow('hint:')} ${h}`)
}

/** One line for any error: a StepError's text, a PairlineError's short message and details, viem's. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  if (err instanceof StepError) return err.message
  const e = err as Error & { code?: unknown; shortMessage?: string; details?: string }
  const text = e.shortMessage ?? e.message.split('\n')[0] ?? e.message
  const norm = (t: string) => t.toLowerCase().replace(/^the |\.$/g, '')
  const details = e.details && !norm(text).includes(norm(e.details)) ? ` (${e.details})` : ''
  const code = e.code !== undefined ? ` [${String(e.code)}]` : ''
  return `${text}${details}${code}`
}

/** Resolves or rejects like `promise`, or rejects with `error()` after `ms`; leaves no timer behind. */
function within<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function elapsed(since: number): number {
  return performance.now() - since
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, ms: elapsed(started) }
}

/** Asks the user (--interactive); without --interactive the answer is always yes. */
function ask(question: string): Promise<boolean> {
  return prompter ? prompter.ask(`  ${ui.bold('?')} ${question} ${ui.dim('[y/N]')} `) : Promise.resolve(true)
}

// ── 1. Relay and chains ─────────────────────────────────────────────────────────────────────

async function startInfrastructure(args: DemoArgs): Promise<{ relayUrl: string; a: Anvil; b: Anvil }> {
  heading(1)
  const anvilHint =
    'anvil comes from @foundry-rs/anvil: run `pnpm install` (its postinstall links the binary for this platform) and check that 127.0.0.1 is usable.'
  const started = performance.now()
  const relayPromise: Promise<Relay | null> = args.relay
    ? Promise.resolve(null)
    : createRelay({ port: 0, shutdownTimeoutMs: 1_000 }).catch((err: unknown) => {
        throw new StepError(
          `the embedded relay could not start: ${errorText(err)}`,
          'is 127.0.0.1 usable here? Or use a relay you run: pnpm demo -- --relay ws://host:port',
          err,
        )
      })
  const anvil = (chainId: number) =>
    startAnvil({ chainId }).catch((err: unknown) => {
      throw new StepError(`anvil (chain ${chainId}) could not start: ${errorText(err)}`, anvilHint, err)
    })
  const settled = await Promise.allSettled([relayPromise, anvil(CHAIN_A), anvil(CHAIN_B)])
  // Whatever started is stopped on exit, even when something else failed.
  const [relay, a, b] = settled.map((s) => (s.status === 'fulfilled' ? s.value : null)) as [
    Relay | null,
    Anvil | null,
    Anvil | null,
  ]
  for (const chain of [a, b])
    if (chain) cleanups.push({ name: `anvil ${chain.chainId}`, run: () => chain.stop() })
  if (relay) cleanups.push({ name: 'embedded relay', run: () => relay.close() })
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) throw failure.reason
  if (!a || !b) throw new StepError('anvil did not start', anvilHint)

  const relayUrl = relay ? relay.url : (args.relay as string)
  if (relay)
    ui.ok(`relay     ${relayUrl}  ${ui.dim('(embedded, in this process; it only ever sees ciphertext)')}`)
  else ui.info(`relay     ${relayUrl}  ${ui.dim('(--relay; the dApp connects to it in step 2)')}`)
  ui.ok(`chain A   ${a.rpcUrl}  ${ui.dim(`(anvil, chain id ${a.chainId})`)}`)
  ui.ok(`chain B   ${b.rpcUrl}  ${ui.dim(`(anvil, chain id ${b.chainId})`)}`)
  ui.info(`ready in ${ui.ms(elapsed(started))}`)
  return { relayUrl, a, b }
}

/** Waits until the relay client is connected, or fails clearly after `ms` (it would retry for ever). */
function waitForRelay(client: Dapp['relay'], url: string, ms: number): Promise<void> {
  if (client.status === 'open') return Promise.resolve()
  let attempts = 0
  let last = 'no answer'
  return new Promise<void>((resolve, reject) => {
    const onOpen = () => {
      done()
      resolve()
    }
    const onReconnecting = (e: {
      attempt: number
      reason: { shortMessage: string; details?: string | undefined }
    }) => {
      attempts = e.attempt
      last = e.reason.details ?? e.reason.shortMessage
    }
    const timer = setTimeout(() => {
      done()
      const port = portOf(url)
      reject(
        new StepError(
          `could not connect to the relay at ${url} within ${ms / 1000} s (${attempts} attempt${attempts === 1 ? '' : 's'}; last: ${last})`,
          `is a relay running there${port ? `, and is port ${port} reachable` : ''}? Start one with \`pnpm --filter @pairline/relay start\` (ws://127.0.0.1:8787), or leave out --relay to use the embedded relay.`,
        ),
      )
    }, ms)
    const done = () => {
      clearTimeout(timer)
      client.off('open', onOpen)
      client.off('reconnecting', onReconnecting)
    }
    client.on('open', onOpen)
    client.on('reconnecting', onReconnecting)
  })
}

function portOf(url: string): string {
  try {
    const u = new URL(url)
    return u.port || (u.protocol === 'wss:' ? '443' : '80')
  } catch {
    return ''
  }
}

async function run(args: DemoArgs): Promise<void> {
  ui.line(ui.bold('Pairline demo'))
  ui.line(
    ui.dim(
      args.interactive
        ? 'You are the wallet’s user: compare the codes and answer each question (y/n).'
        : 'A dApp and a wallet, both in this process, pair and talk end-to-end encrypted. Add --interactive to approve by hand.',
    ),
  )
  const { relayUrl, a, b } = await startInfrastructure(args)
  const account = privateKeyToAccount(ANVIL_KEYS[0])
  const recipient = privateKeyToAccount(ANVIL_KEYS[1]).address

  // ── 2. The dApp asks for a pairing ────────────────────────────────────────────────────────
  heading(2)
  const dapp: Dapp = createDapp({
    relayUrl,
    metadata: DAPP_METADATA,
    chains: [CHAIN_A, CHAIN_B],
    rpcUrls: { [CHAIN_A]: a.rpcUrl, [CHAIN_B]: b.rpcUrl },
    // sign-in at connect: the approval's EIP-4361 signature is checked through chain A (a contract
    // account would be too, ERC-1271/6492)
    signInVerifier: siweVerifier({ client: createPublicClient({ transport: http(a.rpcUrl) }) }),
  })
  let pairing: Pairing | null = null
  cleanups.push({
    name: 'dApp',
    run: () => dapp.close(),
  })
  const connectStarted = performance.now()
  await waitForRelay(dapp.relay, relayUrl, RELAY_CONNECT_TIMEOUT_MS)
  ui.dapp(`connected to the relay in ${ui.ms(elapsed(connectStarted))}`)

  const pairStarted = performance.now()
  pairing = await within(
    dapp.pair({ signIn: { statement: 'Sign in to the Pairline demo.' } }),
    STEP_TIMEOUT_MS,
    () => new StepError('pair() did not finish', 'the relay took the connection but not the subscription'),
  )
  const qr = await toTerminal(pairing.uri, { small: true })
  for (const row of (ui.colorEnabled ? qr : ui.stripAnsi(qr)).replace(/\n$/, '').split('\n'))
    ui.line(`    ${row}`)
  ui.dapp('pairing URI (what the QR code holds; a wallet on this machine can take it as a link):')
  ui.line(`    ${pairing.uri}`)
  const left = pairing.expiresAt - Math.floor(Date.now() / 1000)
  ui.dapp(`expires at ${ui.clock(pairing.expiresAt)} (${left} s left); it can be used once`)

  // ── 3. The wallet scans it ────────────────────────────────────────────────────────────────
  heading(3)
  const wallet: Wallet = createWallet({
    metadata: WALLET_METADATA,
    accounts: [account],
    chains: [CHAIN_A, CHAIN_B],
    transports: { [CHAIN_A]: http(a.rpcUrl), [CHAIN_B]: http(b.rpcUrl) },
  })
  cleanups.push({ name: 'wallet', run: () => wallet.close() }) // runs before the dApp's (last in, first out)
  ui.wallet('scanned; handshaking with the dApp through the relay…')
  const proposal = await within(
    wallet.pair(pairing.uri),
    STEP_TIMEOUT_MS,
    () =>
      new StepError(
        'the wallet got no answer from the dApp',
        'the relay may be dropping messages; try the embedded relay (leave out --relay)',
      ),
  )
  ui.wallet(
    `dApp: ${ui.bold(proposal.peer.name)} ${proposal.peer.url} ${ui.yellow('(self-declared, unverified)')}`,
  )
  const wanted = proposal.namespaces.required.eip155
  if (wanted) ui.wallet(`asks for chains ${wanted.chains.join(', ')}`)
  if (wanted) ui.wallet(`and methods ${wanted.methods.join(', ')}`)
  if (proposal.signIn) {
    ui.wallet('asks you to sign in; approving signs this message (EIP-4361, the domain is the dApp’s claim):')
    for (const row of proposal.signIn.message().split('\n')) ui.line(row ? `    ${ui.dim(row)}` : '')
  }
  ui.wallet(`code ${ui.bold(ui.sas(proposal.sas))}`)
  const dappSas = await within(pairing.sas, STEP_TIMEOUT_MS, () => new StepError('the dApp never got a code'))
  ui.dapp(`code ${ui.bold(ui.sas(dappSas))}`)
  if (dappSas !== proposal.sas) {
    await proposal.reject('The codes differ.').catch(() => {})
    throw new StepError(
      `the codes differ (dApp ${dappSas}, wallet ${proposal.sas}): someone else answered the QR code`,
      'never approve when the codes differ; run the demo again',
    )
  }
  ui.ok('the codes match: the wallet is talking to this dApp, with no one in between')
  if (!args.interactive)
    ui.info(
      'not interactive: both users "confirm" the code automatically (--interactive asks you on each screen)',
    )
  // Numeric comparison on both screens: the wallet's user approves, then the dApp's user confirms.
  if (args.interactive && !(await ask(`[wallet] Does the dApp show ${ui.sas(proposal.sas)}? Approve?`))) {
    await proposal.reject('The user declined.').catch(() => {})
    throw new StepError('you declined the pairing on the wallet', 'answer y to approve it')
  }
  const walletVerified = proposal.approve()
  walletVerified.catch(() => {})
  ui.wallet('approved; waiting for the dApp’s user to confirm the same code')
  if (args.interactive && !(await ask(`[dApp] Does the wallet show ${ui.sas(dappSas)}? Confirm?`))) {
    await pairing.reject()
    throw new StepError('you said the codes differ on the dApp: nothing was connected', 'answer y to confirm')
  }
  const session: DappSession = await within(
    pairing.confirm(),
    STEP_TIMEOUT_MS,
    () => new StepError('the dApp never saw the wallet’s approval'),
  )
  ui.dapp('confirmed: both users saw the same code, the session is verified')
  if (session.signIn)
    ui.ok(`signed in as ${session.signIn.address} on chain ${session.signIn.chainId} (EIP-4361, verified)`)
  const wsession: WalletSession = await within(
    walletVerified,
    STEP_TIMEOUT_MS,
    () => new StepError('the wallet never got the dApp’s confirmation'),
  )
  ui.wallet('the dApp confirmed too: the session is verified')
  const pairMs = elapsed(pairStarted)
  const address = session.accounts[0]
  if (!address) throw new StepError('the session has no account')
  pass(
    'pairing',
    `paired in ${ui.ms(pairMs)}${args.interactive ? ' (with your answer)' : ''}: account ${address}, chains ${session.chains.join(', ')}, current ${session.chainId}`,
    pairMs,
  )
  ui.dapp(`wallet: ${session.peer.name} ${session.peer.url} ${ui.yellow('(self-declared, unverified)')}`)

  // The wallet's user sees each request in plain words, then approves or rejects it.
  wsession.on('request', (req: WalletRequest) => void onWalletRequest(req, args.interactive))

  // ── 4. The dApp uses viem on session.provider ─────────────────────────────────────────────
  heading(4)
  const client = createWalletClient({ account: address, transport: custom(session.provider) })
  // Read-only calls on session.provider go to the dApp's own RPC (rpcUrls), never to the wallet.
  const reader = createPublicClient({ transport: custom(session.provider), pollingInterval: 50 })

  await request('personal_sign', async () => {
    const message = 'Hello from the Pairline demo! Signing this costs nothing.'
    const { value: signature, ms } = await timed(() => client.signMessage({ message }))
    if (!(await verifyMessage({ address, message, signature })))
      throw new StepError(`the signature ${ui.short(signature)} does not verify for ${address}`)
    return {
      ms,
      detail: `signature verified (verifyMessage): ${ui.short(signature, 8)}, ${ui.ms(ms)} round trip`,
    }
  })

  await request('eth_signTypedData_v4', async () => {
    const typedData = {
      domain: {
        name: 'Pairline Demo',
        version: '1',
        chainId: CHAIN_A,
        verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
      },
      types: {
        Mail: [
          { name: 'from', type: 'address' },
          { name: 'to', type: 'address' },
          { name: 'contents', type: 'string' },
        ],
      },
      primaryType: 'Mail',
      message: { from: address, to: recipient, contents: 'Hello, Bob!' },
    } as const
    const { value: signature, ms } = await timed(() => client.signTypedData(typedData))
    if (!(await verifyTypedData({ address, ...typedData, signature })))
      throw new StepError(`the typed-data signature ${ui.short(signature)} does not verify for ${address}`)
    return {
      ms,
      detail: `typed data verified (verifyTypedData): ${ui.short(signature, 8)}, ${ui.ms(ms)} round trip`,
    }
  })

  await request('eth_sendTransaction', async () => {
    const value = parseEther('0.5')
    const balances = () =>
      Promise.all([reader.getBalance({ address }), reader.getBalance({ address: recipient })])
    const [fromBefore, toBefore] = await balances()
    const { value: hash, ms } = await timed(() =>
      client.sendTransaction({ to: recipient, value, chain: null }),
    )
    ui.dapp(`transaction ${ui.short(hash, 8)} sent (${ui.ms(ms)} round trip); waiting for it to be mined…`)
    const { value: receipt, ms: minedMs } = await timed(() =>
      reader.waitForTransactionReceipt({ hash, timeout: STEP_TIMEOUT_MS }),
    )
    if (receipt.status !== 'success')
      throw new StepError(`the transaction reverted in block ${receipt.blockNumber}`)
    const [fromAfter, toAfter] = await balances()
    const fee = receipt.gasUsed * receipt.effectiveGasPrice
    ui.dapp(`balances on chain ${CHAIN_A} (read through session.provider → the dApp's RPC):`)
    ui.line(`    wallet    ${address}  ${formatEther(fromBefore)} → ${formatEther(fromAfter)} ETH`)
    ui.line(`    recipient ${recipient}  ${formatEther(toBefore)} → ${formatEther(toAfter)} ETH`)
    if (toAfter - toBefore !== value)
      throw new StepError(`the recipient got ${formatEther(toAfter - toBefore)} ETH, not 0.5`)
    if (fromBefore - fromAfter !== value + fee)
      throw new StepError(
        `the wallet paid ${formatEther(fromBefore - fromAfter)} ETH, not 0.5 + ${formatEther(fee)} in fees`,
      )
    return {
      ms,
      extra: `+ ${ui.ms(minedMs)} until the receipt`,
      detail: `transaction mined in block ${receipt.blockNumber}: gas used ${receipt.gasUsed}, fee ${formatEther(fee)} ETH; 0.5 ETH arrived`,
    }
  })

  await request('wallet_switchEthereumChain', async () => {
    let listener: ((chainId: string) => void) | undefined
    const changed = new Promise<string>((resolve) => {
      listener = resolve
      session.provider.on('chainChanged', resolve as never)
    })
    try {
      const { ms } = await timed(() => client.switchChain({ id: CHAIN_B }))
      const event = await within(
        changed,
        STEP_TIMEOUT_MS,
        () => new StepError('no chainChanged event arrived'),
      )
      ui.dapp(`chainChanged event: ${event} (${Number.parseInt(event, 16)})`)
      const chainId = await session.provider.request({ method: 'eth_chainId' })
      if (event !== toHex(CHAIN_B) || chainId !== toHex(CHAIN_B) || wsession.chainId !== `eip155:${CHAIN_B}`)
        throw new StepError(
          `expected ${toHex(CHAIN_B)}; got event ${event}, eth_chainId ${String(chainId)}, wallet ${wsession.chainId}`,
        )
      const block = await reader.getBlockNumber()
      return {
        ms,
        detail: `chain switched to ${CHAIN_B} (eth_chainId ${String(chainId)}, the wallet agrees; reads now go to chain B, at block ${block}), ${ui.ms(ms)} round trip`,
      }
    } finally {
      if (listener) session.provider.removeListener('chainChanged', listener as never)
    }
  })

  // ── 5. Disconnect ─────────────────────────────────────────────────────────────────────────
  heading(5)
  try {
    const walletSaw = new Promise<{ code: number; message: string }>((resolve) =>
      wsession.once('disconnect', resolve),
    )
    const started = performance.now()
    await session.disconnect('The demo is over.')
    ui.dapp('session.disconnect(): the wallet is told, the session keys are wiped')
    const event = await within(
      walletSaw,
      STEP_TIMEOUT_MS,
      () => new StepError('the wallet did not receive the disconnect', 'the relay may have dropped it'),
    )
    const ms = elapsed(started)
    ui.wallet(`disconnect received: code ${event.code}, "${event.message}"`)
    const after = await session.provider.request({ method: 'eth_accounts' }).then(
      () => 'an answer',
      (err: { code?: number }) => err.code,
    )
    if (after !== 4900)
      throw new StepError(`the ended session's provider gave ${String(after)}, not error 4900`)
    pass(
      'disconnect',
      `disconnected: the wallet got it ${ui.ms(ms)} later; the dApp's provider now answers 4900`,
      ms,
    )
  } catch (err) {
    fail('disconnect', err)
  }
}

/** The wallet's side of one request: show it, decide (the user, or yes), then sign or send. */
async function onWalletRequest(req: WalletRequest, interactive: boolean): Promise<void> {
  const [head, ...rest] = describeRequest(req)
  ui.wallet(`request #${req.id.slice(0, 6)}: ${ui.bold(head ?? req.method)}`)
  for (const l of rest) ui.line(`           ${l}`)
  const yes = interactive ? await ask(`Approve ${req.method}?`) : true
  if (!yes) {
    ui.wallet(`rejected request #${req.id.slice(0, 6)}`)
    await req.reject('The user rejected the request.').catch(() => {})
    return
  }
  const outcome = await req.approve() // never rejects: every failure is an outcome
  if (outcome.status === 'executed') {
    const shown = typeof outcome.result === 'string' ? `: ${ui.short(outcome.result, 8)}` : ''
    ui.wallet(`approved request #${req.id.slice(0, 6)}${shown} ${ui.dim('(sent back encrypted)')}`)
  } else if (outcome.status !== 'rejected') {
    ui.wallet(`${ui.red('could not carry out')} request #${req.id.slice(0, 6)}: ${errorText(outcome.error)}`)
  }
}

/** One request step with its own check: a failure is recorded and the demo goes on with the next. */
async function request(
  name: CheckName,
  fn: () => Promise<{ ms: number; detail: string; extra?: string }>,
): Promise<void> {
  ui.line()
  ui.dapp(ui.bold(name))
  try {
    const limit = prompter ? INTERACTIVE_STEP_TIMEOUT_MS : STEP_TIMEOUT_MS * 2
    const r = await within(fn(), limit, () => new StepError(`${name} did not finish in time`))
    pass(name, r.detail, r.ms, r.extra)
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code
    fail(
      name,
      err,
      code === 4001
        ? 'the wallet rejected it (answer y to approve)'
        : code === 8000
          ? 'the request expired before the wallet answered'
          : 'the wallet’s line above tells its side',
    )
  }
}

function summary(): boolean {
  ui.line()
  ui.line(ui.bold('Summary'))
  if (fatal) {
    ui.line(`  ${ui.red('✗')} stopped at ${fatal.step}: ${fatal.detail}`)
    if (fatal.hint) ui.line(`    ${ui.yellow('hint:')} ${fatal.hint}`)
  }
  const width = Math.max(...CHECKS.map(([name]) => name.length))
  for (const [name, measures] of CHECKS) {
    const r = results.get(name)
    const mark = !r ? ui.dim('-') : r.ok ? ui.green('✓') : ui.red('✗')
    const time = r?.ms === undefined ? '' : ui.ms(r.ms)
    const note = !r ? 'not run' : r.ok ? `${measures}${r.extra ? `, ${r.extra}` : ''}` : r.detail
    ui.line(`  ${mark} ${name.padEnd(width)} ${time.padStart(8)}  ${ui.dim(note)}`)
  }
  const total = performance.now()
  ui.line(
    `    ${'total'.padEnd(width)} ${ui.ms(total).padStart(8)}  ${ui.dim(`since the process started (${ui.ms(loadedAt)} of it loading the code)`)}`,
  )
  const ok = !fatal && CHECKS.every(([name]) => results.get(name)?.ok)
  ui.line()
  if (ok) ui.line(ui.green(ui.bold(`✓ All ${CHECKS.length} steps verified.`)))
  else {
    const failed = CHECKS.filter(([name]) => results.get(name)?.ok === false).length + (fatal ? 1 : 0)
    ui.line(ui.red(ui.bold(`✗ ${failed} step${failed === 1 ? '' : 's'} failed: see the hints above.`)))
  }
  return ok
}

/** Stops everything this run started, newest first; each bounded, so stopping never hangs. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    prompter?.close()
    prompter = null
    for (const c of cleanups.splice(0).reverse()) {
      const started = performance.now()
      try {
        await within(c.run(), CLEANUP_STEP_TIMEOUT_MS, () => new Error(`${c.name} did not stop in time`))
        if (debug) ui.info(`stopped ${c.name} in ${ui.ms(elapsed(started))}`)
      } catch (err) {
        ui.line(`  ${ui.yellow('!')} stopping ${c.name}: ${errorText(err)}`)
      }
    }
  })()
  return stopping
}

async function main(): Promise<number> {
  let args: DemoArgs
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`${err.message}\n\n${USAGE}\n`)
    return 2
  }
  if (args.help) {
    ui.line(USAGE)
    return 0
  }
  if (args.interactive) prompter = new Prompter(() => interrupt('SIGINT'))
  try {
    await run(args)
  } catch (err) {
    const step = currentStep ? `[${currentStep}/${STEPS.length}] ${STEPS[currentStep - 1]}` : 'the start'
    const hint = err instanceof StepError ? err.hint : undefined
    fatal = { step, detail: errorText(err), hint }
    ui.fail(fatal.detail)
    if (hint) ui.line(`    ${ui.yellow('hint:')} ${hint}`)
    if (!(err instanceof StepError) && debug && err instanceof Error) ui.line(ui.dim(err.stack ?? ''))
  } finally {
    ui.line()
    ui.info(`stopping ${args.relay ? 'the clients and the chains' : 'the relay and the chains'}…`)
    await stopAll()
  }
  return summary() ? 0 : 1
}

function interrupt(signal: 'SIGINT' | 'SIGTERM'): void {
  if (stopping) return
  process.stdout.write(`\n${ui.yellow(`${signal}: stopping everything the demo started…`)}\n`)
  ui.mute() // the steps still unwinding would only report what the stop broke
  const code = signal === 'SIGINT' ? 130 : 143
  void stopAll().finally(() => {
    process.stdout.write('stopped.\n')
    process.exit(code)
  })
}

process.once('SIGINT', () => interrupt('SIGINT'))
process.once('SIGTERM', () => interrupt('SIGTERM'))
// A bug anywhere still stops the chains (anvil would outlive a crashed parent) before exiting.
const crash = (err: unknown) => {
  process.stderr.write(`unexpected: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  void stopAll().finally(() => process.exit(1))
}
process.on('uncaughtException', crash)
process.on('unhandledRejection', crash)

main().then((code) => {
  process.exitCode = code
  // Everything is stopped, so the process exits by itself; this unref'd timer is only a safety net.
  setTimeout(() => {
    if (debug) process.stderr.write(`still alive: ${process.getActiveResourcesInfo().join(', ')}\n`)
    process.exit(code)
  }, 300).unref()
}, crash)
