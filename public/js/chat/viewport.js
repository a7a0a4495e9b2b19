// @ts-check
// Where GIF boxes are: on screen (play), or close enough to fetch. Shared by the GIF and video players.

/**
 * Watches the boxes of `players` scrolled inside `root`: a player's `inView` follows its box on
 * and off screen (then `update(player)`), and `onNear(player)` runs once, when its box first
 * comes within 800 px (time to fetch it).
 * @template {{ inView: boolean }} P
 * @param {Element | null} root
 * @param {Map<Element, P>} players
 * @param {(player: P) => void} update
 * @param {(player: P) => void} onNear
 */
export function watchBoxes(root, players, update, onNear) {
  const view = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const p = players.get(entry.target);
        if (!p) continue;
        p.inView = entry.isIntersecting;
        update(p);
      }
    },
    { root, threshold: 0 },
  );
  const near = new IntersectionObserver(
    (entries, observer) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        const p = players.get(entry.target);
        if (p) onNear(p);
      }
    },
    { root, rootMargin: '800px 0px' },
  );
  return {
    /** @param {Element} box */
    observe(box) {
      view.observe(box);
      near.observe(box);
    },
    /** @param {Element} box */
    unobserve(box) {
      view.unobserve(box);
      near.unobserve(box);
    },
  };
}
