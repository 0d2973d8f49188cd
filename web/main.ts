/** The spinflow page: three views (live Monte Carlo, results, models), switched without reloading. */
import { setupLive } from './live.js';
import { loadResultList, openResults, setupResults } from './results.js';
import { fillModels, setupModels } from './models.js';

const views = ['live', 'results', 'models'] as const;

function select(view: string): void {
  for (const v of views) document.getElementById(`view-${v}`)!.classList.toggle('hidden', v !== view);
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.classList.toggle('active', b.dataset.view === view);
  if (view === 'results') void openResults();
  if (view === 'models') void loadResultList().then(fillModels);
}

setupLive();
setupResults();
setupModels();
for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.addEventListener('click', () => select(b.dataset.view!));
const initial = location.hash.slice(1);
if ((views as readonly string[]).includes(initial)) select(initial);
document.getElementById('status')!.textContent = `cross-origin isolated: ${crossOriginIsolated ? 'yes' : 'no'}`;
