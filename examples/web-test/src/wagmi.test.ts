/**
 * The wagmi dApp example (examples/dapp-wagmi: `@wagmi/core`, the Pairline connector and the
 * connect modal) with the wallet page, in real Chromium, a real relay and real anvil chains: connect
 * through the modal (the wallet page is given the URI decoded from the modal's QR pixels), sign a
 * message, send a transaction (mined), switch chain, reload (reconnects without a new QR code),
 * disconnect (the wallet sees it).
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import jsQRModule from 'jsqr'
import { type Browser, chromium, type Page } from 'playwright-core'
import { createPublicClient, http, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodePng } from './png.js'
import { CHROMIUM_ARGS, startWebStack, type WebStack } from './stack.js'

const jsQR = jsQRModule.default
const CHROMIUM = process.env.PAIRLINE_CHROMIUM ?? '/usr/bin/chromium'
const STEP = 90_000
const DEV_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const ARTIFACTS = fileURLToPath(new URL('../../../test-results/wagmi/', import.meta.url))

let stack: WebStack
let browser: Browser
let dapp: Page
let wallet: Page
const pageErrors: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`The wagmi browser test needs Chromium at ${CHROMIUM}; see README.md.`)
  await mkdir(ARTIFACTS, { recursive: true })
  stack = await startWebStack({ logLevel: 'warn' })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: STEP,
  })
  dapp = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
  ).newPage()
  wallet = await (
    await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    })
  ).newPage()
  for (const [name, page] of [
    ['dapp', dapp],
    ['wallet', wallet],
  ] as const) {
    page.setDefaultTimeout(STEP)
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`))
  }
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await stack?.close()
})

/** Waits for `#status` to reach `state`; an error state fails at once with the page's text. */
async function waitForState(page: Page, state: string): Promise<string> {
  const handle = await page.waitForFunction((want) => {
    const el = document.getElementById('status')
    const got = el?.dataset.state
    return got === want || got === 'error' ? { got, text: el?.textContent ?? '' } : null
  }, state)
  const { got, text } = (await handle.jsonValue()) as { got: string; text: string }
  expect(got, text).toBe(state)
  return text
}

async function modalState(want: string): Promise<void> {
  await dapp.locator(`pairline-connect[data-state="${want}"]`).waitFor({ state: 'attached' })
}

async function resultOf(name: string): Promise<{ status: string; text: string }> {
  const handle = await dapp.waitForFunction((id) => {
    const el = document.getElementById(id)
    const status = el?.dataset.status
    return status && status !== 'pending' ? { status, text: el?.textContent ?? '' } : null
  }, `result-${name}`)
  return (await handle.jsonValue()) as { status: string; text: string }
}

async function approveInWallet(method: string): Promise<string> {
  await wallet.locator(`#request[data-method="${method}"]`).waitFor({ state: 'visible' })
  const summary = (await wallet.locator('#request-summary').textContent()) ?? ''
  await wallet.click('#approve-request')
  return summary
}

describe('the wagmi dApp example in Chromium', { timeout: STEP * 2 }, () => {
  it('connects through the modal: the wallet pastes the URI from the QR, both confirm the code', async () => {
    await dapp.goto(stack.wagmiUrl)
    await waitForState(dapp, 'idle')
    await dapp.click('#connect')
    await modalState('waiting')
    const png = await dapp.locator('pairline-connect .qr').screenshot()
    const { width, height, data } = decodePng(png)
    const uri = jsQR(data, width, height)?.data
    expect(uri).toMatch(/^pairline:1\?/)
    await dapp.screenshot({ path: join(ARTIFACTS, 'wagmi-modal.png') })

    await wallet.goto(stack.walletUrl)
    await waitForState(wallet, 'idle')
    // The pairing link sits behind "Paste a pairing link instead"; the raw URI is not on the screen.
    expect(await wallet.locator('#uri-input').isVisible()).toBe(false)
    await wallet.click('#paste-link summary')
    await wallet.fill('#uri-input', uri!)
    await wallet.click('#pair')
    await waitForState(wallet, 'proposal')
    await modalState('codes')
    const dappCode = (await dapp.locator('pairline-connect [data-part="code"]').textContent())?.replace(
      ' ',
      '',
    )
    expect(dappCode).toBe(await wallet.locator('#sas').textContent())
    expect(await wallet.locator('#dapp-name').textContent()).toBe('Pairline Swap')
    await wallet.click('#approve-session')
    await dapp.getByRole('button', { name: 'My wallet shows this code' }).click()
    await waitForState(dapp, 'connected')
    await waitForState(wallet, 'connected')
    expect(await dapp.locator('pairline-connect').count()).toBe(0) // the modal closed itself
    expect(await dapp.locator('#account').textContent()).toBe(DEV_ACCOUNT)
    expect(await dapp.locator('#chain').getAttribute('data-chain-id')).toBe('31337')
    expect(await dapp.locator('#peer-name').textContent()).toBe('Pairline Example Wallet')
    await dapp.screenshot({ path: join(ARTIFACTS, 'wagmi-connected.png') })
    // The wallet (390 px) shows its connected state, not the pairing form; details stay folded.
    expect(await wallet.locator('#pair-panel').isHidden()).toBe(true)
    expect(await wallet.locator('#session-dapp').textContent()).toBe('Pairline Swap')
    expect(await wallet.locator('#session-relay').isVisible()).toBe(false)
    await wallet.click('#session-details summary')
    expect(await wallet.locator('#session-relay').textContent()).toBe(stack.config.relayUrl)
    expect(await wallet.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    // the dApp's metadata.redirect is on its own origin, so the wallet offers the way back
    expect(await wallet.locator('#return-link').getAttribute('href')).toBe(
      `${new URL(stack.wagmiUrl).origin}/`,
    )
    await wallet.screenshot({ path: join(ARTIFACTS, 'wallet-390-connected.png'), fullPage: true })
  })

  it('signs a message (verified) and sends 0.01 ETH (mined)', async () => {
    await dapp.click('#sign-message')
    expect(await approveInWallet('personal_sign')).toContain('Sign in to Pairline Swap')
    const signed = await resultOf('sign-message')
    expect(signed, signed.text).toMatchObject({ status: 'ok' })
    expect(signed.text).toMatch(/^Signed in: 0x[0-9a-f]{4}…[0-9a-f]{4} verified\.$/)

    const chain = createPublicClient({ transport: http(stack.config.chains[0]!.rpcUrl) })
    const before = await chain.getBalance({ address: RECIPIENT })
    await dapp.click('#send-transaction')
    await approveInWallet('eth_sendTransaction')
    const sent = await resultOf('send-transaction')
    expect(sent.status, sent.text).toBe('ok')
    expect(sent.text).toMatch(/mined in block \d+ on chain 31337 \(success\)$/)
    expect((await chain.getBalance({ address: RECIPIENT })) - before).toBe(parseEther('0.01'))
  })

  it('switches chain through the wallet; wagmi and both pages follow', async () => {
    await dapp.click('#switch-chain')
    expect(await approveInWallet('wallet_switchEthereumChain')).toContain('31338')
    const switched = await resultOf('switch-chain')
    expect(switched).toEqual({ status: 'ok', text: 'Switched from 31337 to 31338.' })
    expect(await dapp.locator('#chain').getAttribute('data-chain-id')).toBe('31338')
    await wallet.locator('#session-chain', { hasText: '31338' }).waitFor()
  })

  it('a reload reconnects from the stored session: no modal, no new code, still signs', async () => {
    await dapp.reload()
    expect(await waitForState(dapp, 'connected')).toBe('Connected (session restored).')
    expect(await dapp.locator('pairline-connect').count()).toBe(0)
    expect(await dapp.locator('#account').textContent()).toBe(DEV_ACCOUNT)
    expect(await dapp.locator('#chain').getAttribute('data-chain-id')).toBe('31338')
    await dapp.click('#sign-message')
    await approveInWallet('personal_sign')
    expect(await resultOf('sign-message')).toMatchObject({ status: 'ok' })
  })

  it('disconnect in wagmi ends the session on the wallet too', async () => {
    await dapp.click('#disconnect')
    expect(await waitForState(dapp, 'disconnected')).toBe('Disconnected.')
    expect(await waitForState(wallet, 'disconnected')).toContain('The dApp disconnected.')
    expect(await wallet.locator('#pair-panel').isVisible()).toBe(true)
    await dapp.reload()
    await waitForState(dapp, 'idle') // nothing left to restore
  })

  it('same device: the wallet opened with the link pairs, leaves the address bar clean, offers the way back', async () => {
    await dapp.click('#connect')
    await modalState('waiting')
    const uri = await dapp.locator('pairline-connect a[data-part="open"]').getAttribute('href')
    expect(uri).toMatch(/^pairline:1\?/)
    // the wallet's universal link (a development wallet on 127.0.0.1), the URI in the fragment
    await wallet.goto(`${stack.walletUrl}#uri=${encodeURIComponent(uri!)}`)
    await waitForState(wallet, 'proposal')
    expect(wallet.url()).not.toContain('uri=')
    await wallet.click('#approve-session')
    await modalState('codes')
    await dapp.getByRole('button', { name: 'My wallet shows this code' }).click()
    await waitForState(dapp, 'connected')
    await waitForState(wallet, 'connected')
    const back = wallet.locator('#return-link')
    expect(await back.textContent()).toBe('Back to Pairline Swap')
    expect(await back.getAttribute('href')).toBe(`${new URL(stack.wagmiUrl).origin}/`)
    await dapp.click('#disconnect')
    await waitForState(wallet, 'disconnected')
    expect(pageErrors).toEqual([])
  })
})
