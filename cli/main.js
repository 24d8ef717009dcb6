'use strict'
// `native-ledger COMMAND ...`: one entry per command (usage, options, run). Exit codes: 0 done
// (verify: clean), 1 the work failed (verify: problems found), 2 the command line was wrong.
const { parseArgs } = require('node:util')
const { UsageError } = require('./source.js')

const commands = {
  stats: {
    usage: 'stats PATH',
    about: 'Event count, size, oldest/newest, task count and computeMetrics() of a ledger directory;\n' +
      'entry count and seqs of an AppendLog file.',
    options: { json: { type: 'boolean' } },
    more: '  --json        print one JSON object',
    args: ['PATH'],
    run: (a, o) => require('./commands.js').stats(a[0], o),
  },
  tail: {
    usage: 'tail PATH [-n N] [-f] [--json]',
    about: 'The last events of a ledger directory (or the last entries of an AppendLog file);\n' +
      'with -f, every new one as any process appends it, until interrupted.',
    options: { lines: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } },
    more: '  -n, --lines N  how many (default 10; 0 with -f: only new ones)\n' +
      '  -f, --follow   keep printing appended events\n' +
      '  --json         the raw lines, one JSON text each',
    args: ['PATH'],
    run: (a, o) => require('./commands.js').tail(a[0], o),
  },
  verify: {
    usage: 'verify PATH',
    about: 'Checks every line as JSON.parse would, the torn tail, index.json against the events and\n' +
      'the lock. Prints each problem as file:line; exits 0 when clean, 1 when not.',
    options: { quiet: { type: 'boolean', short: 'q' } },
    more: '  -q, --quiet   only the problems',
    args: ['PATH'],
    run: (a, o) => require('./verify.js').verify(a[0], o),
  },
  compact: {
    usage: 'compact PATH --keep N',
    about: 'Keeps the N newest events by timestamp (EventStore.compact: under the lock, one atomic\n' +
      'rewrite) and prints how many were evicted.',
    options: { keep: { type: 'string' } },
    more: '  --keep N      events to keep (required)',
    args: ['PATH'],
    run: (a, o) => require('./commands.js').compact(a[0], o),
  },
  export: {
    usage: 'export PATH [--since T] [--until T] [--format ndjson|csv]',
    about: 'Writes the events to stdout, in file order. T is milliseconds since the epoch or a date\n' +
      '(2025-01-31, 2025-01-31T12:00:00Z); both ends are included.',
    options: { since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string' } },
    more: '  --since T     only events with timestamp >= T\n' +
      '  --until T     only events with timestamp <= T\n' +
      '  --format F    ndjson (default, the stored lines re-serialized) or csv (one row per run)',
    args: ['PATH'],
    run: (a, o) => require('./commands.js').exportEvents(a[0], o),
  },
  import: {
    usage: 'import PATH FILE',
    about: 'Appends the events of FILE (NDJSON, one event per line) to the ledger in PATH, which is\n' +
      'created if missing. Every line is checked first: one bad line and nothing is written.',
    options: {},
    more: '',
    args: ['PATH', 'FILE'],
    run: (a, o) => require('./commands.js').importEvents(a[0], a[1], o),
  },
  serve: {
    usage: 'serve PATH [--port P] [--host H]',
    about: 'Serves a read-only live dashboard of the ledger in PATH: runs as they are appended, charts\n' +
      'over time, the violation ranking. Listens on loopback unless --host says otherwise.',
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' } },
    more: '  -p, --port P  TCP port (default 8377; 0 picks a free one)\n' +
      '  --host H      address to bind (default 127.0.0.1; 0.0.0.0 exposes the ledger to the network)',
    args: ['PATH'],
    run: (a, o) => require('./serve.js').serve(a[0], o),
  },
}

const mainHelp = `Usage: native-ledger COMMAND ...

Commands:
${Object.values(commands).map((c) => `  ${c.usage}`).join('\n')}

PATH is a ledger directory (events.ndjson, index.json, .lock) or, for stats and tail, an
AppendLog file. \`native-ledger COMMAND --help\` describes each command.`

function commandHelp(c) {
  return `Usage: native-ledger ${c.usage}\n\n${c.about}\n\nOptions:\n${c.more ? c.more + '\n' : ''}  -h, --help    this text`
}

async function main(argv) {
  const [name, ...rest] = argv
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(mainHelp)
    return name === undefined ? 2 : 0
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (try --help)`)
    let parsed
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      })
    } catch (err) {
      // parseArgs explains itself in a sentence or two; the first one is the line we want.
      throw new UsageError(`${name}: ${err.message.split('\n')[0].split('. To specify')[0]}`)
    }
    if (parsed.values.help) {
      console.log(commandHelp(command))
      return 0
    }
    const { positionals } = parsed
    if (positionals.length < command.args.length) {
      throw new UsageError(`${name}: missing ${command.args.slice(positionals.length).join(' ')} (usage: native-ledger ${command.usage})`)
    }
    if (positionals.length > command.args.length) {
      throw new UsageError(`${name}: unexpected argument '${positionals[command.args.length]}'`)
    }
    return (await command.run(positionals, parsed.values)) ?? 0
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`native-ledger: ${err.message}`)
      return 2
    }
    if (err?.code === 'EPIPE') return 0 // `... | head`: the reader has all it wanted
    console.error(`native-ledger ${name}: ${err?.message ?? err}`)
    return 1
  }
}

module.exports = { main, UsageError }
