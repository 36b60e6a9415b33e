// Owns finding a free loopback port for an engine a test starts itself (its own redis-server, say): the kernel picks
// one for a throw-away listener, which is closed before the port is handed on.
import net from 'node:net'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port
      probe.close(() => resolve(port))
    })
  })
}
