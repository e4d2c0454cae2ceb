// The tsconfig's "node" module resolution ignores package.json "exports", so it cannot see the `/node`
// subpaths of the vscode-languageserver family that esbuild (and Node) resolve. Point the type checker
// at the same files.
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-jsonrpc/lib/node/main';
}
