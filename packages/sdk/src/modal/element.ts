import type { DappSession, Pairing } from '../dapp/types.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { toSvg } from '../qr/index.js'
import { failureText, groupCode, type ModalState, STATUS } from './messages.js'
import { MARKUP, STYLE } from './template.js'

/** Starts one pairing attempt (`() => dapp.pair()`); called again by "Try again". */
export type StartPairing = () => Promise<Pairing>

export type ConnectModalOptions = {
  /**
   * Where "Open in wallet" goes (shown on phones): default the pairing URI itself, the `pairline:`
   * scheme any installed wallet handles; or a wallet's universal link:
   * `(uri) => universalLink(uri, 'https://wallet.example/pair')`. docs/PROTOCOL.md §3.4.
   */
  walletLink?: ((uri: string) => string) | undefined
  /** Close as soon as the session exists (default true); else the dialog shows "Connected" until closed. */
  closeOnConnect?: boolean | undefined
  /** Dialog title; default "Connect your wallet". */
  title?: string | undefined
}

/** The detail of the element's `state` event (also `data-state`, `data-error-code` on the element). */
export type ModalStateDetail = { state: ModalState; text: string; code?: string }

// Importable in Node (SSR): the class exists there, it just cannot be constructed.
const Base = (typeof HTMLElement === 'undefined' ? class {} : HTMLElement) as typeof HTMLElement

/**
 * `<pairline-connect>`: the connect dialog. `open(start)` shows it and resolves with the session once
 * both users confirmed the code, or rejects with USER_REJECTED when the user closes it. Plain DOM in
 * a shadow root; themable through the `--pairline-*` CSS variables and `theme="light|dark"`.
 */
export class PairlineConnectElement extends Base {
  #root: ShadowRoot | undefined
  #state: ModalState = 'starting'
  #run = 0
  #start: StartPairing | undefined
  #options: ConnectModalOptions = {}
  #pairing: Pairing | undefined
  #youRejected = false
  #returnFocus: Element | null = null
  #settle: { resolve(s: DappSession): void; reject(e: unknown): void } | undefined

  get state(): ModalState {
    return this.#state
  }

  /** Shows the dialog and runs pairings from `start` until one connects or the user closes it. */
  open(start: StartPairing, options: ConnectModalOptions = {}): Promise<DappSession> {
    this.#settle?.reject(closed())
    this.#start = start
    this.#options = options
    this.#returnFocus = document.activeElement
    this.hidden = false
    const root = this.#build()
    if (options.title) this.#q('#title').textContent = options.title
    return new Promise<DappSession>((resolve, reject) => {
      this.#settle = { resolve, reject }
      void this.#attempt()
      this.#q<HTMLElement>('.dialog').focus()
      root.addEventListener('keydown', this.#onKey)
    })
  }

  /** Hides the dialog; before a connection, the pairing is cancelled and `open()` rejects. */
  close(): void {
    this.#run++
    if (this.#state !== 'connected') this.#pairing?.cancel()
    this.#pairing = undefined
    this.#settle?.reject(closed())
    this.#settle = undefined
    this.hidden = true
    this.#root?.removeEventListener('keydown', this.#onKey)
    if (this.#returnFocus instanceof HTMLElement) this.#returnFocus.focus()
  }

  #build(): ShadowRoot {
    if (this.#root) return this.#root
    const root = this.attachShadow({ mode: 'open' })
    this.#root = root
    const style = document.createElement('style')
    style.textContent = STYLE
    root.append(style)
    root.appendChild(document.createRange().createContextualFragment(MARKUP))
    this.#q<HTMLElement>('.dialog').tabIndex = -1
    root.addEventListener('click', (e) => {
      const action = (e.target as Element).closest('[data-action]')?.getAttribute('data-action')
      if (action) this.#act(action)
    })
    return root
  }

  #q<T extends Element = Element>(selector: string): T {
    return this.#root!.querySelector<T>(selector)!
  }

  #act(action: string): void {
    const pairing = this.#pairing
    if (action === 'close') this.close()
    else if (action === 'retry') void this.#attempt()
    else if (action === 'copy' && pairing) void this.#copy(pairing.uri)
    else if (action === 'confirm' && pairing && this.#state === 'codes') {
      this.#set('confirmed')
      pairing.confirm().catch(() => {}) // its failure reaches `approved`
    } else if (action === 'reject' && pairing && this.#state === 'codes') {
      this.#youRejected = true
      void pairing.reject()
    }
  }

  async #copy(uri: string): Promise<void> {
    const button = this.#q<HTMLButtonElement>('[data-action="copy"]')
    try {
      await navigator.clipboard.writeText(uri)
      button.textContent = 'Link copied'
    } catch {
      button.textContent = 'Copy failed: long-press the QR code'
    }
  }

  async #attempt(): Promise<void> {
    const run = ++this.#run
    this.#pairing?.cancel()
    this.#pairing = undefined
    this.#youRejected = false
    this.#q('[data-action="copy"]').textContent = 'Copy link'
    this.#q('.qr').replaceChildren()
    this.#set('starting')
    let pairing: Pairing
    try {
      pairing = await this.#start!()
    } catch (err) {
      if (run === this.#run) this.#fail(err)
      return
    }
    if (run !== this.#run) return pairing.cancel()
    this.#pairing = pairing
    const current = () => run === this.#run
    pairing.on(
      'state',
      (s) => current() && s === 'handshakeDone' && this.#state === 'waiting' && this.#set('answered'),
    )
    pairing.sas.then(
      (sas) => current() && this.#showCode(sas),
      () => {},
    )
    pairing.approved.then(
      (session) => current() && this.#connected(session),
      (err: unknown) => current() && this.#fail(err),
    )
    const svg = await toSvg(pairing.uri, { margin: 1 })
    if (!current()) return
    this.#q('.qr').replaceChildren(document.createRange().createContextualFragment(svg))
    this.#q<HTMLAnchorElement>('[data-part="open"]').href = (this.#options.walletLink ?? ((u) => u))(
      pairing.uri,
    )
    if (this.#state === 'starting') this.#set('waiting')
  }

  #showCode(sas: string): void {
    const code = this.#q('[data-part="code"]')
    code.textContent = groupCode(sas)
    code.setAttribute('aria-label', `Code ${sas.split('').join(' ')}`)
    if (this.#state !== 'confirmed' && this.#state !== 'connected') this.#set('codes')
  }

  #connected(session: DappSession): void {
    this.#q('[data-part="peer"]').textContent = `${session.peer.name} (self-declared name)`
    this.#set('connected')
    const settle = this.#settle
    this.#settle = undefined
    settle?.resolve(session)
    if (this.#options.closeOnConnect !== false) this.close()
  }

  #fail(err: unknown): void {
    const { code, text } = failureText(err, this.#youRejected)
    this.#pairing = undefined
    this.#set('error', text, code)
  }

  #set(state: ModalState, text = STATUS[state as Exclude<ModalState, 'error'>], code?: string): void {
    this.#state = state
    this.dataset.state = state
    if (code) this.dataset.errorCode = code
    else delete this.dataset.errorCode
    const status = this.#q<HTMLElement>('#status')
    status.textContent = text
    status.dataset.tone = state === 'error' ? 'error' : state === 'connected' ? 'ok' : ''
    status.setAttribute('role', state === 'error' ? 'alert' : 'status')
    const show = (part: string, on: boolean) => {
      this.#q<HTMLElement>(`[data-part="${part}"]`).hidden = !on
    }
    show('scan', state === 'starting' || state === 'waiting' || state === 'answered')
    show('compare', state === 'codes' || state === 'confirmed')
    show('peer', state === 'connected')
    show('failed', state === 'error')
    const answers = this.#root!.querySelectorAll<HTMLButtonElement>(
      '[data-action="confirm"], [data-action="reject"]',
    )
    for (const b of Array.from(answers)) b.disabled = state !== 'codes'
    this.#keepFocus()
    this.dispatchEvent(
      new CustomEvent<ModalStateDetail>('state', { detail: { state, text, ...(code ? { code } : {}) } }),
    )
  }

  /** Focus stays in the dialog: when the focused control was hidden, the first visible one takes it. */
  #keepFocus(): void {
    const active = this.#root!.activeElement as HTMLElement | null
    if (active && active.getClientRects().length > 0 && !(active as HTMLButtonElement).disabled) return
    const first = this.#focusable().find((el) => el.dataset.action !== 'close')
    ;(first ?? this.#q<HTMLElement>('.dialog')).focus()
  }

  #focusable(): HTMLElement[] {
    return Array.from(this.#root!.querySelectorAll<HTMLElement>('button, a[href]')).filter(
      (el) => el.getClientRects().length > 0 && !(el as HTMLButtonElement).disabled,
    )
  }

  #onKey = (e: Event): void => {
    const key = (e as KeyboardEvent).key
    if (key === 'Escape') {
      this.close()
      return
    }
    if (key !== 'Tab') return
    const items = this.#focusable()
    if (items.length === 0) return
    const at = items.indexOf(this.#root!.activeElement as HTMLElement)
    const next = (e as KeyboardEvent).shiftKey
      ? at <= 0
        ? items.length - 1
        : at - 1
      : (at + 1) % items.length
    e.preventDefault()
    items[next]!.focus()
  }
}

const closed = () =>
  new PairlineError(ErrorCode.UserRejected, 'The connect window was closed before a wallet connected.')
