// Express 4 (installed as the alias `express4`) typed with the project's Express types: the classic
// app uses only what both majors share.
declare module 'express4' {
  import express from 'express';
  export default express;
}
