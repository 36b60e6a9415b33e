// The words of a group's system notices: names as they are, "you" for the signed-in account, lists joined.
import { describe, expect, it } from 'vitest'
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
})
