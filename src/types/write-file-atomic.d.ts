// write-file-atomic 7 ships no types: the part of its API we use.
declare module 'write-file-atomic' {
  interface Options {
    /** fsync the temporary file before the rename (default true). */
    fsync?: boolean;
    mode?: number;
    chown?: { uid: number; gid: number } | false;
    encoding?: BufferEncoding;
  }
  function writeFileAtomic(filename: string, data: string | Buffer, options?: Options): Promise<void>;
  export default writeFileAtomic;
}
