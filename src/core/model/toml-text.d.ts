// TOML files imported as text (`with { type: 'text' }`): Bun inlines them into the binary.
declare module '*.toml' {
  const text: string;
  export default text;
}
