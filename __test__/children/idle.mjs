// A live process that does nothing until its stdin closes: a pid that is certainly alive.
process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + '\n')
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
