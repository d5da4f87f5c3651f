// Types for the parts of punycode.js (the npm package, not Node's deprecated built-in) we use.
declare module 'punycode.js' {
  const punycode: {
    decode(input: string): string;
    encode(input: string): string;
  };
  export default punycode;
}
