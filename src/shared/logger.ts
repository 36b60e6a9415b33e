// Per-module loggers: one line per entry with a timestamp, level and module name.
// PARLEY_LOG=debug|info|warn|error|silent sets the threshold (default info; tests set warn).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void
  info(message: string, details?: Record<string, unknown>): void
  warn(message: string, details?: Record<string, unknown>): void
  error(message: string, details?: Record<string, unknown>): void
}

function envLevel(): LogLevel {
  const raw = typeof process !== 'undefined' ? process.env?.PARLEY_LOG : undefined
  return raw && raw in LEVEL_RANK ? (raw as LogLevel) : 'info'
}

export function createLogger(module: string): Logger {
  const threshold = LEVEL_RANK[envLevel()]
  const write = (level: Exclude<LogLevel, 'silent'>, message: string, details?: Record<string, unknown>): void => {
    if (LEVEL_RANK[level] < threshold) return
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${module}] ${message}`
    const sink = level === 'error' ? console.error : level === 'warn' ? console.warn : console.log
    if (details) sink(line, details)
    else sink(line)
  }
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d)
  }
}
