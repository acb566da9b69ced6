import { createApp, portFromEnv } from './app.mjs';

const port = portFromEnv(process.env);
createApp().listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
