// Offline use for a page on the library: the site's service worker (sw.js, beside site.json)
// keeps the site's files, and, asked by the page, the page's own (its address and the scripts and
// styles it loaded from the site), so that the page opens without a network next time. A
// service worker serves only pages under its own folder: a page outside the site's folder is
// told so ('outside') and needs a service worker of its own.

/**
 * Registers the site's service worker for this page and has it keep the page's own files.
 * Resolves to 'ready', 'outside' (the page is not under `siteUrl`) or 'unavailable' (no service
 * workers in this browser, or registering failed); never rejects.
 */
export async function keepOffline(siteUrl, pageUrl = location.href) {
  if (!('serviceWorker' in navigator)) return 'unavailable';
  const site = new URL(siteUrl).href;
  if (!pageUrl.startsWith(site)) return 'outside';
  try {
    await navigator.serviceWorker.register(new URL('sw.js', site), { scope: site });
    const { active } = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType('resource').map((entry) => entry.name);
    const own = [pageUrl, ...loaded].filter((url) => url.startsWith(site));
    await new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = ({ data }) => (data?.kept ? resolve() : reject(new Error(data?.error)));
      active.postMessage({ op: 'keep', urls: own }, [channel.port2]);
    });
    return 'ready';
  } catch {
    return 'unavailable';
  }
}
