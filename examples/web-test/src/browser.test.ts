/**
 * The browser examples in real Chromium: the dApp page and the wallet page pair through a real relay,
 * on two real anvil chains, served by Vite. Needs /usr/bin/chromium (test/setup/global.ts installs it when root); this
 * test fails, never skips, without it.
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import jsQRModule from 'jsqr'
import { type Browser, chromium, type Page } from 'playwright-core'
import { createPublicClient, http, parseEther } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { decodePng } from './png.js'
import { startWebStack, type WebStack } from './stack.js'

const jsQR = jsQRModule.default // see wallet-web/src/qrImage.ts

const CHROMIUM = process.env.PAIRLINE_CHROMIUM ?? '/usr/bin/chromium'
const STEP_TIMEOUT = 90_000
const DEV_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const ARTIFACTS = fileURLToPath(new URL('../../../test-results/web-examples/', import.meta.url))

let stack: WebStack
let browser: Browser
let dapp: Page
let wallet: Page
const pageErrors: string[] = []
let shots = 0

async function shot(page: Page, name: string): Promise<void> {
  shots++
  await page.screenshot({
    path: join(ARTIFACTS, `${String(shots).padStart(2, '0')}-${name}.png`),
    fullPage: true,
  })
}

/** Waits for `#status` to reach `state`; fails at once (with the page's message) if it shows an error. */
async function waitForState(page: Page, state: string): Promise<string> {
  const handle = await page.waitForFunction(
    (want) => {
      const el = document.getElementById('status')
      const got = el?.dataset.state
      return got === want || got === 'error' ? { got, text: el?.textContent ?? '' } : null
    },
    state,
    { timeout: STEP_TIMEOUT },
  )
  const { got, text } = (await handle.jsonValue()) as { got: string; text: string }
  expect(got, text).toBe(state)
  return text
}

/** Waits until an action's result element leaves 'pending' and returns its status and text. */
async function resultOf(page: Page, name: string): Promise<{ status: string; text: string }> {
  const handle = await page.waitForFunction(
    (id) => {
      const el = document.getElementById(id)
      const status = el?.dataset.status
      return status && status !== 'pending' ? { status, text: el?.textContent ?? '' } : null
    },
    `result-${name}`,
    { timeout: STEP_TIMEOUT },
  )
  return (await handle.jsonValue()) as { status: string; text: string }
}

/** Waits for the wallet to show a request for `method` and returns its readable summary. */
async function walletRequest(method: string): Promise<string> {
  const request = wallet.locator(`#request[data-method="${method}"]`)
  await request.waitFor({ state: 'visible', timeout: STEP_TIMEOUT })
  return (await wallet.locator('#request-summary').textContent()) ?? ''
}

const field = (name: string) => wallet.locator(`#request-details dd[data-field="${name}"]`).textContent()

/** Screenshots the dApp's QR code and decodes it from the pixels (not from the DOM). */
async function scanQr(file?: string): Promise<string> {
  const qr = dapp.locator('#qr svg')
  await qr.waitFor({ state: 'visible', timeout: STEP_TIMEOUT })
  const png = await dapp.locator('#qr').screenshot(file ? { path: file } : {})
  const { width, height, data } = decodePng(png)
  const code = jsQR(data, width, height)
  expect(code, 'no QR code found in the screenshot').not.toBeNull()
  return code!.data
}

/** The wallet's user opens "Paste a pairing link instead", pastes and pairs. */
async function pasteUri(uri: string): Promise<void> {
  if ((await wallet.locator('#paste-link').getAttribute('open')) === null)
    await wallet.click('#paste-link summary')
  await wallet.fill('#uri-input', uri)
  await wallet.click('#pair')
}

async function approveRequest(method: string): Promise<string> {
  const summary = await walletRequest(method)
  await wallet.click('#approve-request')
  return summary
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser test needs Chromium at ${CHROMIUM} and it is missing. Install it with ` +
        '`sudo apt-get update && sudo apt-get install -y chromium` (the test setup does this when root), or set PAIRLINE_CHROMIUM.',
    )
  }
  await mkdir(ARTIFACTS, { recursive: true })
  stack = await startWebStack({ logLevel: 'warn' })
  // launch() starts Chromium on a new, empty profile (Playwright passes a fresh temporary
  // --user-data-dir and deletes it on close; it refuses one in `args`).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: STEP_TIMEOUT,
  })
  // One context (own window, own storage) per page, as a dApp in a desktop browser and a wallet on
  // another device. Two tabs of one window would leave one hidden, with its rendering paused.
  const options = { viewport: { width: 1000, height: 1200 }, deviceScaleFactor: 1 }
  dapp = await (await browser.newContext(options)).newPage()
  wallet = await (await browser.newContext(options)).newPage()
  for (const [name, page] of [
    ['dapp', dapp],
    ['wallet', wallet],
  ] as const) {
    page.setDefaultTimeout(STEP_TIMEOUT)
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`))
  }
}, 180_000)

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return
  // What both pages showed when a step failed.
  for (const [name, page] of [
    ['dapp', dapp],
    ['wallet', wallet],
  ] as const) {
    await page
      ?.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true, timeout: 10_000 })
      .catch(() => {})
  }
})

afterAll(async () => {
  if (pageErrors.length) await writeFile(join(ARTIFACTS, 'page-errors.txt'), pageErrors.join('\n'))
  await browser?.close()
  await stack?.close()
})

describe('browser examples in Chromium', { timeout: STEP_TIMEOUT * 2 }, () => {
  it('pairs by QR code: the QR decodes to the URI shown, both pages show the same code', async () => {
    await dapp.goto(stack.dappUrl)
    await waitForState(dapp, 'idle')
    await dapp.click('#connect')
    const uri = await scanQr(join(ARTIFACTS, 'qr.png'))
    const shown = (await dapp.locator('#uri').textContent())?.trim()
    expect(uri).toMatch(/^pairline:1\?/)
    expect(uri).toBe(shown)
    await shot(dapp, 'dapp-qr')

    await wallet.goto(stack.walletUrl)
    await waitForState(wallet, 'idle')
    expect(await wallet.locator('#wallet-account').textContent()).toBe(DEV_ACCOUNT)
    await pasteUri(uri)
    await waitForState(wallet, 'proposal')
    await waitForState(dapp, 'confirming')
    expect(await wallet.locator('#dapp-name').textContent()).toBe('Pairline Example dApp')
    expect(await wallet.locator('#dapp-url').textContent()).toBe(new URL(stack.dappUrl).origin)
    expect(await wallet.locator('#dapp-unverified').textContent()).toBe('self-declared, unverified')
    // sign-in at connect: the wallet shows the exact EIP-4361 message its approval signs
    expect(await wallet.locator('#sign-in').isVisible()).toBe(true)
    expect(await wallet.locator('#sign-in-message').textContent()).toMatch(
      new RegExp(
        `^${new URL(stack.dappUrl).host.replace(/\./g, '\\.')} wants you to sign in with your Ethereum account:\n${DEV_ACCOUNT}\n\nSign in to the Pairline example dApp.\n\nURI: ${new URL(stack.dappUrl).origin.replace(/\./g, '\\.')}\nVersion: 1\nChain ID: 31337\nNonce: [0-9a-f]{24}\nIssued At: `,
      ),
    )
    const dappSas = await dapp.locator('#sas').textContent()
    const walletSas = await wallet.locator('#sas').textContent()
    expect(dappSas).toMatch(/^\d{6}$/)
    expect(walletSas).toBe(dappSas)
    await shot(dapp, 'dapp-sas')
    await shot(wallet, 'wallet-proposal')

    // Numeric comparison on both screens: the wallet's approval alone connects nothing.
    await wallet.click('#approve-session')
    await waitForState(wallet, 'waiting')
    expect(await dapp.locator('#session').isHidden()).toBe(true)
    await shot(wallet, 'wallet-waiting')
    await dapp.click('#confirm-code')
    await waitForState(dapp, 'connected')
    await waitForState(wallet, 'connected')
    expect(await dapp.locator('#account').textContent()).toBe(DEV_ACCOUNT)
    expect(await dapp.locator('#signed-in').textContent()).toBe(
      `Signed in as ${DEV_ACCOUNT} (EIP-4361, verified)`,
    )
    expect(await dapp.locator('#chain').getAttribute('data-chain-id')).toBe('31337')
    expect(await dapp.locator('#peer-name').textContent()).toContain('Pairline Example Wallet')
    await shot(dapp, 'dapp-connected')
  })

  it('a rejected request shows as rejected on the dApp', async () => {
    await dapp.click('#sign-message')
    await walletRequest('personal_sign')
    await wallet.click('#reject-request')
    expect(await resultOf(dapp, 'sign-message')).toMatchObject({ status: 'rejected' })
  })

  it('signs a message, shown decoded in the wallet and verified on the dApp', async () => {
    await dapp.click('#sign-message')
    const summary = await walletRequest('personal_sign')
    expect(summary).toContain('Hello from the Pairline example dApp')
    expect(await field('account')).toBe(DEV_ACCOUNT)
    await shot(wallet, 'wallet-personal-sign')
    await wallet.click('#approve-request')
    const result = await resultOf(dapp, 'sign-message')
    expect(result.status, result.text).toBe('ok')
    expect(result.text).toContain('verified')
  })

  it('signs typed data, shown as primaryType and fields', async () => {
    await dapp.click('#sign-typed-data')
    const summary = await walletRequest('eth_signTypedData_v4')
    expect(summary).toBe('Sign typed data: Mail')
    expect(await field('primaryType')).toBe('Mail')
    expect(await field('contents')).toBe('Hello, Bob!')
    expect((await field('to'))?.toLowerCase()).toBe(RECIPIENT.toLowerCase())
    expect(await field('domain.chainId')).toBe('31337')
    await shot(wallet, 'wallet-typed-data')
    await wallet.click('#approve-request')
    const result = await resultOf(dapp, 'sign-typed-data')
    expect(result.status, result.text).toBe('ok')
    expect(result.text).toContain('verified')
  })

  it('sends 0.01 ETH: the wallet shows value and recipient, the dApp shows the mined receipt', async () => {
    const chain = createPublicClient({ transport: http(stack.config.chains[0]!.rpcUrl) })
    const before = await chain.getBalance({ address: RECIPIENT })
    await dapp.click('#send-transaction')
    const summary = await walletRequest('eth_sendTransaction')
    expect(summary.toLowerCase()).toBe(`send 0.01 eth to ${RECIPIENT.toLowerCase()}`)
    expect(await field('value')).toBe('0.01 ETH')
    expect((await field('to'))?.toLowerCase()).toBe(RECIPIENT.toLowerCase())
    await shot(wallet, 'wallet-transaction')
    await wallet.click('#approve-request')
    const result = await resultOf(dapp, 'send-transaction')
    expect(result.status, result.text).toBe('ok')
    expect(result.text).toMatch(/mined in block \d+ on chain 31337 \(success\)/)
    expect((await chain.getBalance({ address: RECIPIENT })) - before).toBe(parseEther('0.01'))
    await shot(dapp, 'dapp-results')
  })

  it('switches chain on both pages', async () => {
    await dapp.click('#switch-chain')
    expect(await approveRequest('wallet_switchEthereumChain')).toContain('31338')
    const result = await resultOf(dapp, 'switch-chain')
    expect(result.status, result.text).toBe('ok')
    expect(await dapp.locator('#chain').getAttribute('data-chain-id')).toBe('31338')
    await wallet.locator('#session-chain', { hasText: '31338' }).waitFor()
  })

  it('disconnecting on the dApp ends the session on the wallet', async () => {
    await dapp.click('#disconnect')
    await waitForState(dapp, 'disconnected')
    const text = await waitForState(wallet, 'disconnected')
    expect(text).toContain('The dApp ended the session.')
    await shot(wallet, 'wallet-disconnected')
  })

  it('a connection the wallet rejects shows as rejected on the dApp', async () => {
    await dapp.click('#connect')
    await pasteUri(await scanQr())
    await waitForState(wallet, 'proposal')
    await wallet.click('#reject-session')
    expect(await waitForState(dapp, 'rejected')).toBe('The wallet rejected the connection.')
  })

  it('the dApp user saying the codes differ ends it on both pages: nothing connected', async () => {
    await dapp.click('#connect')
    await pasteUri(await scanQr())
    await waitForState(wallet, 'proposal')
    await waitForState(dapp, 'confirming')
    await wallet.click('#approve-session')
    await waitForState(wallet, 'waiting')
    await dapp.click('#reject-code')
    expect(await waitForState(dapp, 'rejected')).toBe('You said the codes differ: nothing was connected.')
    expect(await waitForState(wallet, 'ended')).toContain(
      'The dApp’s user saw another code: nothing was connected.',
    )
  })

  it('pairs again from a QR image file, and the session survives a reload of the dApp page', async () => {
    await dapp.click('#connect')
    // This time the wallet reads the QR from an image file, decoding it with jsQR in the page.
    const image = join(ARTIFACTS, 'qr-second.png')
    const uri = await scanQr(image)
    expect(uri).toBe((await dapp.locator('#uri').textContent())?.trim())
    await wallet.setInputFiles('#qr-file', image)
    await waitForState(wallet, 'proposal')
    await waitForState(dapp, 'confirming')
    expect(await wallet.locator('#sas').textContent()).toBe(await dapp.locator('#sas').textContent())
    // This time the dApp's user confirms first; the session waits for the wallet's approval.
    await dapp.click('#confirm-code')
    await waitForState(dapp, 'confirmed')
    await wallet.click('#approve-session')
    await waitForState(dapp, 'connected')
    await waitForState(wallet, 'connected')

    await dapp.reload()
    const text = await waitForState(dapp, 'connected')
    expect(text).toContain('restored')
    expect(await dapp.locator('#account').textContent()).toBe(DEV_ACCOUNT)
    await shot(dapp, 'dapp-restored')

    await dapp.click('#sign-message')
    await approveRequest('personal_sign')
    const result = await resultOf(dapp, 'sign-message')
    expect(result.status, result.text).toBe('ok')
    expect(result.text).toContain('verified')

    // And the other direction: the wallet ends it, the dApp sees it.
    await wallet.click('#disconnect')
    await waitForState(wallet, 'disconnected')
    expect(await waitForState(dapp, 'disconnected')).toContain('The wallet ended the session.')
    await shot(dapp, 'dapp-disconnected')
    expect(pageErrors).toEqual([])
  })
})
