// @ts-check
// Every page: colour dots, local times, notices that can be dismissed.
import { dismissible } from './lib/dialog.js';
import { paintDots } from './lib/dom.js';
import { formatTimes } from './lib/time.js';

paintDots();
formatTimes();
dismissible();
