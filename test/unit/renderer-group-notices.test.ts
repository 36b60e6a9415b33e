// The words of a group's system notices: people by the name the caller resolves (else the id), "you" for the
// signed-in account, lists joined; English "You" / "Someone" capitalised, a name never.
import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../src/renderer/src/i18n'
import type { NoticeContent } from '../../src/shared/model'
import { noticeSentence } from '../../src/renderer/src/utils/notice-words'

function notice(kind: NoticeContent['kind'], actor: string, users: string[] = [], text = ''): NoticeContent {
  return { type: 'notice', kind, actor, users, text, until: 0, serverId: 0 }
}

describe('group notice sentences', () => {
  it('names the actor and the people concerned, with "you" for me', () => {
    expect(noticeSentence(notice('added', 'alice', ['bob', 'carol', 'dave']), 'erin')).toBe('alice added bob, carol and dave')
    expect(noticeSentence(notice('removed', 'alice', ['bob']), 'bob')).toBe('alice removed you')
    expect(noticeSentence(notice('left', 'bob'), 'bob')).toBe('You left the group')
    expect(noticeSentence(notice('ownerChanged', 'alice', ['bob']), null)).toBe('alice made bob the owner')
    expect(noticeSentence(notice('announcement', 'alice', [], 'Meet at 9'), null)).toBe('alice set the announcement: Meet at 9')
  })

  const NAMES: Record<string, string> = { alice: 'Alice Liddell', bob: 'Ben Smith', carol: 'you know who' }
  const nameOf = (user: string): string => NAMES[user] ?? user

  it('names actor and targets by their shown names, at format time, in both locales', () => {
    expect(noticeSentence(notice('added', 'erin', ['bob', 'dave']), 'erin', nameOf)).toBe('You added Ben Smith and dave')
    expect(noticeSentence(notice('removed', 'alice', ['bob']), 'erin', nameOf)).toBe('Alice Liddell removed Ben Smith')
    expect(noticeSentence(notice('joined', 'bob'), 'erin', nameOf)).toBe('Ben Smith joined the group')
    expect(noticeSentence(notice('removed', 'alice', ['erin']), 'erin', nameOf)).toBe('Alice Liddell removed you')
    // A nickname that begins like the pronoun is still shown exactly as written.
    expect(noticeSentence(notice('left', 'carol'), 'erin', nameOf)).toBe('you know who left the group')
    // The same notice reads with the name it has now: a renamed person is renamed in it.
    const renamed = (user: string): string => (user === 'bob' ? 'Benjamin' : nameOf(user))
    expect(noticeSentence(notice('removed', 'alice', ['bob']), 'erin', renamed)).toBe('Alice Liddell removed Benjamin')
    setLocale('zh-CN')
    expect(noticeSentence(notice('added', 'alice', ['bob', 'erin']), 'erin', nameOf)).toBe('Alice Liddell邀请Ben Smith和你加入了群组')
  })
})

afterEach(() => setLocale('en'))
