/* The ceiling for pages: a bare Express route returning a string. */
import express from 'express';

const app = express();
app.get('/', (_req, res) => {
  res.send('Hello from a bare Express route');
});
app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
