// The renderer's words and numbers in Simplified Chinese: dates and times through Intl in the app locale (and a
// language switch changes them with no reload), sizes, counts with plurals, typing and presence lines, group notices
// built from codes and names.
import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../src/renderer/src/i18n'
import { formatDayLabel, formatFullTimestamp, formatListTime, formatMessageTime } from '../../src/renderer/src/utils/time-format'
import { formatFileSize, contentSummary } from '../../src/renderer/src/features/messages/content-summary'
import { byteCounterText } from '../../src/renderer/src/utils/text-limits'
import { typingSentence } from '../../src/renderer/src/features/messages/typing-words'
import { presenceWords } from '../../src/renderer/src/features/contacts/presence-words'
import { noticeSentence } from '../../src/renderer/src/utils/notice-words'
import { conversationAccessibleName } from '../../src/renderer/src/utils/conversation-label'
import { reachSentence } from '../../src/renderer/src/features/search/search-words'
import type { Conversation, NoticeContent } from '../../src/shared/model'

const NOW = new Date(2026, 5, 17, 12, 0).getTime()

afterEach(() => setLocale('en'))

function notice(kind: NoticeContent['kind'], actor: string, users: string[] = [], text = '', until = 0): NoticeContent {
  return { type: 'notice', kind, actor, users, text, until, serverId: 0 }
}

describe('Simplified Chinese formats', () => {
  it('formats dates and times through Intl in the app locale, and follows a language switch', () => {
    const morning = new Date(2026, 5, 17, 9, 5).getTime()
    expect(formatListTime(morning, NOW)).toBe(formatMessageTime(morning))
    expect(formatDayLabel(new Date(2026, 5, 16, 8).getTime(), NOW)).toBe('Yesterday')
    setLocale('zh-CN')
    expect(formatDayLabel(NOW, NOW)).toBe('今天')
    expect(formatDayLabel(new Date(2026, 5, 16, 8).getTime(), NOW)).toBe('昨天')
    expect(formatListTime(new Date(2026, 5, 16, 8).getTime(), NOW)).toBe('昨天')
    expect(formatListTime(new Date(2026, 5, 13, 8).getTime(), NOW)).toBe('周六')
    expect(formatListTime(new Date(2026, 4, 2, 8).getTime(), NOW)).toBe('5月2日')
    expect(formatListTime(new Date(2025, 11, 24, 8).getTime(), NOW)).toBe('2025年12月24日')
    expect(formatDayLabel(new Date(2026, 4, 2, 8).getTime(), NOW)).toBe('5月2日星期六')
    expect(formatFullTimestamp(morning)).toBe('2026年6月17日 09:05')
    expect(formatMessageTime(new Date(2026, 5, 17, 21, 45).getTime())).toBe('21:45')
  })

  it('writes sizes, byte counters and counts with the locale, with plurals only where English has them', () => {
    setLocale('zh-CN')
    expect(formatFileSize(1_536)).toBe('1.5 KB')
    expect(formatFileSize(25 * 1024 * 1024)).toBe('25 MB')
    expect(byteCounterText(4_200)).toBe('4,200 / 5,120 字节')
    expect(contentSummary({ type: 'voice', file: { id: 'a', name: 'v.ogg', mime: 'audio/ogg', size: 1, sha256: '', secret: '', hasThumbnail: false }, durationMs: 3_000 } as never)).toBe('[语音] 0:03')
    const chat = { id: 'bob', chatType: 'single', title: '', unreadCount: 2, mentions: 1, markedUnread: false, pinned: false, lastMessage: null, readSeq: 0, updatedAt: 0 } as unknown as Conversation
    expect(conversationAccessibleName(chat)).toBe('bob，2 条未读，1 条消息提到了你，暂无消息')
    setLocale('en')
    expect(conversationAccessibleName(chat)).toBe('bob, 2 unread, 1 mention of you, no messages yet')
    expect(conversationAccessibleName({ ...chat, mentions: 3 })).toBe('bob, 2 unread, 3 mentions of you, no messages yet')
  })

  it('says typing, presence, search reach and group notices in Chinese, from codes and names', () => {
    setLocale('zh-CN')
    expect(typingSentence(['alice'], false)).toBe('正在输入…')
    expect(typingSentence(['alice', 'bob'], true)).toBe('alice 和 bob 正在输入…')
    expect(typingSentence(['a', 'b', 'c'], true)).toBe('3 人正在输入…')
    expect(presenceWords({ online: true, statusText: '午饭中', lastSeen: 0 } as never)).toBe('在线 · 午饭中')
    expect(presenceWords(null)).toBe('离线')
    expect(reachSentence({ state: 'running', windowDays: 365, since: Date.UTC(2026, 2, 3, 12) }, 'zh-CN')).toBe('正在搜索 2026年3月3日 以来的消息；正在获取更早的消息…')
    expect(noticeSentence(notice('added', 'alice', ['bob', 'carol', 'dave']), 'dave')).toBe('alice邀请bob、carol和你加入了群组')
    expect(noticeSentence(notice('left', 'bob'), 'bob')).toBe('你退出了群组')
    expect(noticeSentence(notice('infoChanged', 'alice', [], 'name,description'), null)).toBe('alice修改了群组的名称和简介')
    expect(noticeSentence(notice('announcement', 'alice', [], '九点见'), null)).toBe('alice发布了群公告：九点见')
    expect(noticeSentence(notice('mutedAll', 'alice'), null)).toBe('alice开启了全员禁言（群主和管理员除外）')
  })
})
