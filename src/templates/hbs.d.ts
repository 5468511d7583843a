// Template files are imported as text (`with { type: 'text' }`) and embedded in the binary.
declare module '*.hbs' {
  const text: string;
  export default text;
}
