// Minimal types for the parts of des.js we use (the package ships none).
declare module 'des.js' {
  interface Cipher {
    update(data: Uint8Array | number[]): number[];
    final(): number[];
  }
  const des: {
    DES: { create(opts: { type: 'encrypt' | 'decrypt'; key: Uint8Array | number[]; padding?: boolean }): Cipher };
  };
  export default des;
}
