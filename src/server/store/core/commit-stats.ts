// Owns the append commits' diagnostics (StoreStats): each COMMIT's duration over a recent window, how many commits
// and how many messages they carried. Shared by the SQLite appender and PostgreSQL's batched one.
import type { StoreStats } from '../records'

/** fsyncP50Ms is taken over the last this many commits (recent behaviour, bounded memory). */
const COMMIT_SAMPLES = 4_096

export type CommitStats = Pick<StoreStats, 'fsyncP50Ms' | 'commitP99Ms' | 'commitMaxMs' | 'messagesPerCommit' | 'commits'>

export interface CommitTimer {
  /** One commit took `ms` and carried `messages`. */
  record(ms: number, messages: number): void
  stats(): CommitStats
}

export function createCommitTimer(): CommitTimer {
  const commitMs = new Float64Array(COMMIT_SAMPLES)
  let commits = 0
  let committedMessages = 0
  const rounded = (value: number | undefined): number => (value === undefined ? 0 : Number(value.toFixed(3)))
  return {
    record(ms, messages) {
      commitMs[commits % COMMIT_SAMPLES] = ms
      commits++
      committedMessages += messages
    },
    stats() {
      const samples = Array.from(commitMs.subarray(0, Math.min(commits, COMMIT_SAMPLES))).sort((a, b) => a - b)
      return {
        fsyncP50Ms: rounded(samples[Math.floor(samples.length / 2)]),
        commitP99Ms: rounded(samples[Math.floor(samples.length * 0.99)]),
        commitMaxMs: rounded(samples[samples.length - 1]),
        messagesPerCommit: commits > 0 ? Number((committedMessages / commits).toFixed(2)) : 0,
        commits
      }
    }
  }
}
