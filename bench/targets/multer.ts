/* The floor for uploads: a plain multer disk write. */
import express from 'express';
import multer from 'multer';

const app = express();
const upload = multer({
  dest: process.env.UPLOAD_DIR!,
  limits: { fileSize: 5 * 1024 * 1024 },
});
app.get('/', (_req, res) => {
  res.send('multer');
});
app.post('/upload', upload.single('gif'), (req, res) => {
  res.status(201).json({ file: req.file?.filename });
});
app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
