// The shape of "how a person is named" that the pure word helpers take: components pass the contacts store's
// displayName (remark, else nickname, else id — the one resolver); without it a helper shows the id.
export type NameOf = (user: string) => string

/** The fallback when no resolver is given: the id itself. */
export const idAsName: NameOf = (user) => user
