// The deep-link parser: the three link forms it accepts (ids in canonical form) and the hostile inputs it refuses.
import { describe, expect, it } from 'vitest'
import {
  conversationOfDeepLink,
  deepLinkFromArgv,
  deepLinkOf,
  parseDeepLink,
  MAX_DEEP_LINK_CHARS,
  type DeepLinkRejection
} from '../../src/main/core/deep-links'

describe('parseDeepLink', () => {
  it('accepts the three link forms, with ids in canonical form', () => {
    expect(parseDeepLink('parley://chat/bob')).toEqual({ ok: true, target: { kind: 'chat', id: 'bob' } })
    expect(parseDeepLink('parley://chat/Alice.Smith-2')).toEqual({ ok: true, target: { kind: 'chat', id: 'alice.smith-2' } })
    expect(parseDeepLink('parley://group/gk3x9a0b1c2')).toEqual({ ok: true, target: { kind: 'group', id: 'gk3x9a0b1c2' } })
    expect(parseDeepLink('parley://room/room-AbC_d-9xYz01234567')).toEqual({
      ok: true,
      target: { kind: 'room', id: 'room-AbC_d-9xYz01234567' }
    })
    // Scheme and kind are case-insensitive, as URL schemes and hosts are.
    expect(parseDeepLink('PARLEY://Chat/bob')).toEqual({ ok: true, target: { kind: 'chat', id: 'bob' } })
  })

  const hostile: Array<[string, unknown, DeepLinkRejection]> = [
    ['a number', 42, 'NOT_A_STRING'],
    ['null', null, 'NOT_A_STRING'],
    ['an empty string', '', 'NOT_PARLEY'],
    ['another scheme', 'https://chat/bob', 'NOT_PARLEY'],
    ['a look-alike scheme', 'parleyx://chat/bob', 'NOT_PARLEY'],
    ['a scheme with a prefix', 'xparley://chat/bob', 'NOT_PARLEY'],
    ['javascript:', 'javascript:alert(1)//parley://chat/bob', 'NOT_PARLEY'],
    ['no slashes', 'parley:chat/bob', 'NOT_PARLEY'],
    ['one slash', 'parley:/chat/bob', 'NOT_PARLEY'],
    ['no path at all', 'parley://chat', 'NOT_PARLEY'],
    ['an unknown host', 'parley://settings/bob', 'UNKNOWN_KIND'],
    ['a host with a port', 'parley://chat:80/bob', 'UNKNOWN_KIND'],
    ['user info before the host', 'parley://evil@chat/bob', 'BAD_CHARACTERS'],
    ['an empty host', 'parley:///chat/bob', 'UNKNOWN_KIND'],
    ['an empty id', 'parley://chat/', 'BAD_PATH'],
    ['an extra segment', 'parley://chat/bob/extra', 'BAD_PATH'],
    ['a trailing slash', 'parley://chat/bob/', 'BAD_PATH'],
    ['a double slash', 'parley://chat//bob', 'BAD_PATH'],
    ['dot segments', 'parley://chat/../group/gabc123', 'BAD_PATH'],
    ['a colon in the id', 'parley://chat/bob:1', 'BAD_PATH'],
    ['a query', 'parley://chat/bob?x=1', 'BAD_CHARACTERS'],
    ['a fragment', 'parley://chat/bob#frag', 'BAD_CHARACTERS'],
    ['a query hiding a second link', 'parley://chat/bob?parley://group/gabc', 'BAD_CHARACTERS'],
    ['a percent-encoded slash', 'parley://chat/bob%2Fextra', 'BAD_CHARACTERS'],
    ['a percent-encoded id', 'parley://chat/%62ob', 'BAD_CHARACTERS'],
    ['a percent-encoded NUL', 'parley://chat/bob%00', 'BAD_CHARACTERS'],
    ['a backslash', 'parley://chat\\bob', 'BAD_CHARACTERS'],
    ['a NUL', 'parley://chat/bob\u0000', 'BAD_CHARACTERS'],
    ['a newline', 'parley://chat/bob\nparley://chat/eve', 'BAD_CHARACTERS'],
    ['a tab', 'parley://chat/\tbob', 'BAD_CHARACTERS'],
    ['a DEL', 'parley://chat/bob\u007f', 'BAD_CHARACTERS'],
    ['a leading space', ' parley://chat/bob', 'NOT_PARLEY'],
    ['a trailing space', 'parley://chat/bob ', 'BAD_CHARACTERS'],
    ['a right-to-left override', 'parley://chat/bob\u202e', 'BAD_CHARACTERS'],
    ['a full-width letter', 'parley://chat/ｂob', 'BAD_CHARACTERS'],
    ['a Cyrillic look-alike', 'parley://chat/bоb', 'BAD_CHARACTERS'],
    ['a user id too long', `parley://chat/${'a'.repeat(65)}`, 'BAD_ID'],
    ['a link too long', `parley://chat/${'a'.repeat(MAX_DEEP_LINK_CHARS)}`, 'TOO_LONG'],
    ['a huge link', `parley://chat/${'a'.repeat(1_000_000)}`, 'TOO_LONG'],
    ['a group id of the wrong shape', 'parley://group/bob', 'BAD_ID'],
    ['a group id in capitals', 'parley://group/GABC123', 'BAD_ID'],
    ['a group id with a dash', 'parley://group/gabc-123', 'BAD_ID'],
    ['a group id too long', `parley://group/g${'a'.repeat(64)}`, 'BAD_ID'],
    ['a bare group prefix', 'parley://group/g', 'BAD_ID'],
    ['a room id without its prefix', 'parley://room/lobby', 'BAD_ID'],
    ['a room id with a dot', 'parley://room/room-a.b', 'BAD_ID'],
    ['a bare room prefix', 'parley://room/room-', 'BAD_ID'],
    ['a room id too long', `parley://room/room-${'a'.repeat(60)}`, 'BAD_ID']
  ]
  for (const [what, input, reason] of hostile) {
    it(`refuses ${what}`, () => {
      expect(parseDeepLink(input)).toEqual({ ok: false, reason })
    })
  }
})

describe('deepLinkFromArgv', () => {
  it('finds the link among the arguments of a second launch', () => {
    const argv = ['/opt/Parley/parley', '--allow-file-access-from-files', 'parley://group/gk3x9a0b1c2']
    expect(deepLinkFromArgv(argv)).toEqual({ ok: true, target: { kind: 'group', id: 'gk3x9a0b1c2' } })
  })

  it('says null when there is none and refuses a bad one', () => {
    expect(deepLinkFromArgv(['/opt/Parley/parley', '--flag'])).toBeNull()
    expect(deepLinkFromArgv(['parley', 'parley://chat/bob?steal=1'])).toEqual({ ok: false, reason: 'BAD_CHARACTERS' })
  })
})

describe('conversationOfDeepLink and deepLinkOf', () => {
  it('maps a link to the bridge conversation and back to the link', () => {
    expect(conversationOfDeepLink({ kind: 'chat', id: 'bob' })).toEqual({ type: 'single', id: 'bob' })
    expect(conversationOfDeepLink({ kind: 'room', id: 'room-abcd' })).toEqual({ type: 'room', id: 'room-abcd' })
    for (const link of ['parley://chat/bob', 'parley://group/gk3x9a0b1c2', 'parley://room/room-AbC_d']) {
      const parsed = parseDeepLink(link)
      expect(parsed.ok && deepLinkOf(parsed.target)).toBe(link)
    }
  })
})

describe('DeepLinkInbox', () => {
  it('keeps a link that arrives before the window is ready and delivers it once it is', async () => {
    const { DeepLinkInbox } = await import('../../src/main/core/deep-links')
    const delivered: unknown[] = []
    const inbox = new DeepLinkInbox()
    inbox.receive('parley://chat/Bob')
    expect(delivered).toEqual([])
    inbox.ready((target) => {
      delivered.push(target)
      return true
    })
    expect(delivered).toEqual([{ kind: 'chat', id: 'bob' }])
    expect(inbox.waiting).toBeNull()
    // Ready: delivered at once.
    inbox.receive('parley://group/gabc123')
    expect(delivered).toHaveLength(2)
  })

  it('keeps only the newest link, refuses bad ones, and waits again after the renderer went away', async () => {
    const { DeepLinkInbox } = await import('../../src/main/core/deep-links')
    const rejected: string[] = []
    const delivered: unknown[] = []
    const inbox = new DeepLinkInbox({ onRejected: (reason) => rejected.push(reason) })
    inbox.receive('parley://chat/alice')
    inbox.receive('parley://room/room-abcd')
    inbox.receive('parley://chat/eve?x')
    expect(rejected).toEqual(['BAD_CHARACTERS'])
    let accepting = false
    inbox.ready((target) => {
      if (accepting) delivered.push(target)
      return accepting
    })
    // The window was not loaded after all: the link waits.
    expect(inbox.waiting).toEqual({ kind: 'room', id: 'room-abcd' })
    inbox.notReady()
    accepting = true
    inbox.ready((target) => {
      delivered.push(target)
      return true
    })
    expect(delivered).toEqual([{ kind: 'room', id: 'room-abcd' }])
  })
})
