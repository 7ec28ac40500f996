import { describe, expect, it } from 'vitest'
import { ensureDebianPackage, installCommand } from './debian.js'

const chromium = { what: 'Chromium (the browser test)', aptPackage: 'chromium' }

describe('the test setup for Debian packages', () => {
  it('does nothing when the package is there (apt is not run, even where it may be)', async () => {
    let asked = 0
    const need = { ...chromium, isPresent: () => ++asked > 0 }
    await expect(ensureDebianPackage(need, true)).resolves.toBeUndefined()
    expect(asked).toBe(1)
  })

  it('fails with the one command to run when this user may not install', async () => {
    const need = { ...chromium, isPresent: () => false }
    await expect(ensureDebianPackage(need, false)).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: Chromium (the browser test) is missing and this user cannot install it. Run:

        sudo apt-get update && sudo apt-get install -y chromium
      ]
    `)
  })

  it('never runs apt for a path the user chose (PAIRLINE_CHROMIUM) that does not exist', async () => {
    const need = {
      ...chromium,
      isPresent: () => false,
      userChoice: 'PAIRLINE_CHROMIUM=/opt/none does not exist',
    }
    await expect(ensureDebianPackage(need, true)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: Chromium (the browser test) is missing: PAIRLINE_CHROMIUM=/opt/none does not exist]`,
    )
  })

  it('names the package in the command', () => {
    expect(installCommand('redis-server')).toBe('sudo apt-get update && sudo apt-get install -y redis-server')
  })
})
