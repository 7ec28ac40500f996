import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** True when `name` is an executable on PATH. */
export function commandExists(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}
