/**
 * Summarises V8 .cpuprofile files (from `BENCH_CPU_PROF=<dir> pnpm bench:relay`): self time per
 * function and per source area, as a share of the profile's samples.
 * Run: node --import tsx packages/relay/bench/profileSummary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs'

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const [file, topArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: profileSummary.ts <file.cpuprofile> [top]\n')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))

// Self time per node from the sample stream (timeDeltas[i] is the time before sample i).
const selfUs = new Map<number, number>()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/builtin)'
  if (url.includes('/relay/src/')) return 'relay/src'
  if (url.includes('/wire/src/')) return 'wire/src'
  if (url.includes('/relay/bench/')) return 'relay/bench'
  if (url.includes('/ws/lib/')) return 'ws'
  if (url.startsWith('node:')) return 'node core'
  if (url.includes('tsx')) return 'tsx'
  return 'other'
}

const fns = new Map<string, number>()
const areas = new Map<string, number>()
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame
  const name = functionName || '(anonymous)'
  const where = url ? `${url.replace(/^.*\/(packages|node_modules)\//, '')}:${lineNumber + 1}` : ''
  const key = where ? `${name} ${where}` : name
  fns.set(key, (fns.get(key) ?? 0) + us)
  const a = area(url, name)
  areas.set(a, (areas.get(a) ?? 0) + us)
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
const out: string[] = [`${file}: ${(total / 1e6).toFixed(2)} s sampled`, '', 'self time by area:']
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1])) out.push(`  ${pct(us)}  ${a}`)
out.push('', `top ${top} functions by self time:`)
for (const [k, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) out.push(`  ${pct(us)}  ${k}`)
process.stdout.write(`${out.join('\n')}\n`)
