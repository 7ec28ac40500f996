/**
 * Two tabs of the wagmi dApp in one browser context share one session (`@pairline/sdk/tabs`): one
 * relay connection for both (counted at the relay), a connection made in either tab reaches both,
 * a request from each tab is shown once in the wallet, a disconnect is seen by both, and closing
 * the leader tab hands the session to the other.
 */
import { existsSync } from 'node:fs'
import jsQRModule from 'jsqr'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodePng } from './png.js'
import { CHROMIUM_ARGS, startWebStack, type WebStack } from './stack.js'

const jsQR = jsQRModule.default
const CHROMIUM = process.env.PAIRLINE_CHROMIUM ?? '/usr/bin/chromium'
const STEP = 90_000
const DEV_ACCOUNT = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

let stack: WebStack
let browser: Browser
let tabA: Page
let tabB: Page
let wallet: Page

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The tabs test needs Chromium at ${CHROMIUM}; see README.md.`)
  stack = await startWebStack({ logLevel: 'warn' })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: STEP,
  })
  const dappContext = await browser.newContext({ viewport: { width: 1000, height: 800 } })
  tabA = await dappContext.newPage()
  tabB = await dappContext.newPage()
  wallet = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage()
  for (const p of [tabA, tabB, wallet]) p.setDefaultTimeout(STEP)
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await stack?.close()
})

/** Open WebSocket connections at the relay, from its Prometheus gauge. */
function relayConnections(): number {
  const m = /^pairline_relay_connections (\d+)$/m.exec(stack.relay.metrics())
  if (!m) throw new Error('the relay exports no pairline_relay_connections gauge')
  return Number(m[1])
}

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

async function resultOf(page: Page, name: string): Promise<{ status: string; text: string }> {
  const handle = await page.waitForFunction((id) => {
    const status = document.getElementById(id)?.dataset.status
    return status && status !== 'pending'
      ? { status, text: document.getElementById(id)?.textContent ?? '' }
      : null
  }, `result-${name}`)
  return (await handle.jsonValue()) as { status: string; text: string }
}

/** Signs from `tab`; the wallet shows the request once, is approved, and shows no second one. */
async function signFrom(tab: Page): Promise<void> {
  const before = await wallet.locator('#history li[data-outcome="approved"]').count()
  await tab.click('#sign-message')
  await wallet.locator('#request[data-method="personal_sign"]').waitFor({ state: 'visible' })
  await wallet.click('#approve-request')
  expect(await resultOf(tab, 'sign-message')).toMatchObject({ status: 'ok' })
  await wallet.locator('#history li[data-outcome="approved"]').nth(before).waitFor()
  expect(await wallet.locator('#history li[data-outcome="approved"]').count()).toBe(before + 1)
  expect(await wallet.locator('#request').isHidden()).toBe(true)
}

describe('two tabs of one dApp', { timeout: STEP * 2 }, () => {
  it('share one relay connection; connecting in the second tab connects both', async () => {
    await tabA.goto(stack.wagmiUrl)
    await waitForState(tabA, 'idle')
    await tabB.goto(stack.wagmiUrl)
    await waitForState(tabB, 'idle')
    await expect.poll(relayConnections, { timeout: STEP }).toBe(1)

    await tabB.click('#connect')
    await tabB.locator('pairline-connect[data-state="waiting"]').waitFor({ state: 'attached' })
    const png = await tabB.locator('pairline-connect .qr').screenshot()
    const { width, height, data } = decodePng(png)
    const uri = jsQR(data, width, height)?.data
    expect(uri).toMatch(/^pairline:1\?/)
    await wallet.goto(`${stack.walletUrl}#uri=${encodeURIComponent(uri!)}`)
    await waitForState(wallet, 'proposal')
    await wallet.click('#approve-session')
    await tabB.locator('pairline-connect[data-state="codes"]').waitFor({ state: 'attached' })
    await tabB.getByRole('button', { name: 'My wallet shows this code' }).click()
    await waitForState(tabB, 'connected')
    await waitForState(wallet, 'connected')
    // the first tab learns of it without pairing
    await tabA.locator('#account', { hasText: DEV_ACCOUNT }).waitFor()
    expect(await tabB.locator('#account').textContent()).toBe(DEV_ACCOUNT)
    expect(relayConnections()).toBe(2) // one for both tabs, one for the wallet
  })

  it('a request from each tab is shown once in the wallet and answered in that tab', async () => {
    await signFrom(tabA)
    await signFrom(tabB)
    expect(relayConnections()).toBe(2)
  })

  it('a reload of either tab restores the session without a new code', async () => {
    await tabB.reload()
    expect(await waitForState(tabB, 'connected')).toBe('Connected (session restored).')
    await signFrom(tabB)
    expect(relayConnections()).toBe(2)
  })

  it('closing the leader tab hands the session to the other: still one connection, still signs', async () => {
    await tabA.close()
    await expect.poll(relayConnections, { timeout: STEP }).toBe(2)
    await signFrom(tabB)
    tabA = await tabB.context().newPage()
    tabA.setDefaultTimeout(STEP)
    await tabA.goto(stack.wagmiUrl)
    expect(await waitForState(tabA, 'connected')).toBe('Connected (session restored).')
    expect(relayConnections()).toBe(2)
  })

  it('a disconnect in one tab is seen by the other and by the wallet', async () => {
    await tabA.click('#disconnect')
    await waitForState(tabA, 'disconnected')
    await waitForState(tabB, 'disconnected')
    expect(await waitForState(wallet, 'disconnected')).toContain('The dApp disconnected.')
  })
})
