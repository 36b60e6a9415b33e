// Owns the deep-link domain's public face: the parser and its types (parse.ts), nothing Electron.
// The Electron glue (src/main/deep-links/) and the renderer's shell feature import from here.
export * from './parse'
export * from './inbox'
