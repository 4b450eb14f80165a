// check.mjs runs generator/eval's corpus through @cloud-copilot/iam-simulate,
// an evaluator written independently of ours, for TestCrossCheck.
//
// stdin:  a JSON array of corpus cases as corpus_test.go's flatCase writes them
// stdout: a JSON array of {id, result, conditional, error, ignored}
//
// Requests whose context names keys the corpus marks unknown run in the
// simulator's Discovery mode, with every other key the policies use
// declared known; the rest run in Strict mode.
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate'

const named = (list) => (list ?? []).map((p) => ({ name: p.name, policy: p.policy }))

function simulation(c) {
  const account =
    c.resource_account || accountOf(c.resource_arn) || c.principal_account || accountOf(c.principal) || '111111111111'
  const sim = {
    request: {
      principal: c.anonymous ? anonymousPrincipal : c.principal,
      action: c.action,
      resource: { resource: c.resource_arn, accountId: account },
      contextVariables: knownContext(c)
    },
    identityPolicies: named(c.identity),
    serviceControlPolicies: (c.scps ?? []).map((level, i) => ({
      orgIdentifier: `level-${i + 1}`,
      policies: named(level)
    })),
    resourceControlPolicies: c.rcps?.length ? [{ orgIdentifier: 'o-corpus', policies: named(c.rcps) }] : []
  }
  if (c.boundary) sim.permissionBoundaryPolicies = named([c.boundary])
  if (c.resource?.length > 1 || c.session?.length > 1) {
    throw new Error('the simulator takes one resource policy and one session policy')
  }
  if (c.resource?.length) sim.resourcePolicy = c.resource[0].policy
  if (c.session?.length) sim.sessionPolicy = c.session[0].policy
  return sim
}

function accountOf(arn) {
  const parts = (arn ?? '').split(':')
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] : ''
}

// covered reports whether the corpus marks key unknown: an exact key or a
// prefix ending in *, compared case-insensitively.
function covered(c, key) {
  const k = key.toLowerCase()
  return (c.unknown ?? []).some((u) => {
    const l = u.toLowerCase()
    return l.endsWith('*') ? k.startsWith(l.slice(0, -1)) : k === l
  })
}

// knownContext drops the values of unknown keys: for generator/eval an
// unknown key is undecided even when the context holds it.
function knownContext(c) {
  const out = {}
  for (const [k, v] of Object.entries(c.context ?? {})) {
    if (!covered(c, k)) out[k] = v
  }
  return out
}

function options(c) {
  if (!c.unknown?.length) return { simulationMode: 'Strict' }
  const constraints = []
  for (const k of c.policy_keys ?? []) {
    if (covered(c, k)) {
      constraints.push({ keyName: k, presenceIsKnown: false, valueIsKnown: false })
    } else {
      constraints.push({ keyName: k, presenceIsKnown: true, valueIsKnown: true })
    }
  }
  return { simulationMode: 'Discovery', discoveryContextKeyConstraints: constraints }
}

async function check(c) {
  try {
    const r = await runSimulation(simulation(c), options(c))
    if (r.resultType === 'error') {
      return { id: c.id, error: JSON.stringify(r.errors) }
    }
    const results = r.resultType === 'single' ? [r.result] : r.results
    const conditional = results.some((x) => x.analysis?.conditions !== undefined)
    const ignored = results.flatMap((x) => x.ignoredContextKeys ?? [])
    return { id: c.id, result: r.overallResult, conditional, ignored }
  } catch (e) {
    return { id: c.id, error: String(e?.message ?? e) }
  }
}

let input = ''
for await (const chunk of process.stdin) input += chunk
const out = []
for (const c of JSON.parse(input)) out.push(await check(c))
process.stdout.write(JSON.stringify(out))
