// Made-up titles and genres for the synthetic population, so the demo reads like a catalogue. Each
// taste cluster gets a genre (two when there are more clusters than genres) and its items draw title
// words from that genre's list: an item's genres say which cluster it belongs to, as MovieLens genres
// hint at taste. Deterministic: the words come from a stream seeded by the item id and its genre.

import type { ItemDetails } from '../../shared/model/catalogue-listing.js';
import { SeededRandom } from '../../shared/random.js';

interface Genre {
  name: string;
  adjectives: string[];
  nouns: string[];
}

const GENRES: Genre[] = [
  { name: 'Drama', adjectives: ['Quiet', 'Broken', 'Last', 'Distant', 'Honest', 'Bitter'], nouns: ['Summer', 'Promise', 'Daughter', 'Harvest', 'Letter', 'Silence'] },
  { name: 'Comedy', adjectives: ['Lucky', 'Awkward', 'Crazy', 'Wild', 'Big', 'Silly'], nouns: ['Wedding', 'Weekend', 'Roommates', 'Vacation', 'Neighbours', 'Party'] },
  { name: 'Thriller', adjectives: ['Silent', 'Deadly', 'Hidden', 'Cold', 'Final', 'Sharp'], nouns: ['Witness', 'Signal', 'Trap', 'Verdict', 'Target', 'Alibi'] },
  { name: 'Romance', adjectives: ['Sweet', 'Endless', 'Tender', 'Golden', 'Secret', 'Second'], nouns: ['Kiss', 'Letters', 'Heart', 'Spring', 'Dance', 'Chance'] },
  { name: 'Sci-Fi', adjectives: ['Quantum', 'Orbital', 'Synthetic', 'Infinite', 'Binary', 'Solar'], nouns: ['Horizon', 'Colony', 'Machine', 'Signal', 'Frontier', 'Android'] },
  { name: 'Horror', adjectives: ['Haunted', 'Hollow', 'Crimson', 'Howling', 'Buried', 'Pale'], nouns: ['Cellar', 'Asylum', 'Curse', 'Woods', 'Doll', 'Attic'] },
  { name: 'Animation', adjectives: ['Little', 'Brave', 'Magic', 'Tiny', 'Flying', 'Happy'], nouns: ['Dragon', 'Robot', 'Kingdom', 'Fox', 'Balloon', 'Penguin'] },
  { name: 'Documentary', adjectives: ['Real', 'Untold', 'Inside', 'Living', 'True', 'Frozen'], nouns: ['Planet', 'Ocean', 'Story', 'Archive', 'Coast', 'Factory'] },
  { name: 'Western', adjectives: ['Dusty', 'Lone', 'Iron', 'Outlaw', 'High', 'Red'], nouns: ['Canyon', 'Rider', 'Frontier', 'Saloon', 'Sheriff', 'Trail'] },
  { name: 'Fantasy', adjectives: ['Enchanted', 'Ancient', 'Shadow', 'Crystal', 'Forgotten', 'Silver'], nouns: ['Crown', 'Sword', 'Realm', 'Witch', 'Tower', 'Oracle'] },
  { name: 'Mystery', adjectives: ['Missing', 'Strange', 'Twelfth', 'Locked', 'Velvet', 'Foggy'], nouns: ['Key', 'Clue', 'Manor', 'Detective', 'Portrait', 'Riddle'] },
  { name: 'Adventure', adjectives: ['Lost', 'Great', 'Northern', 'Sunken', 'Wandering', 'Far'], nouns: ['Island', 'Expedition', 'Treasure', 'Jungle', 'Voyage', 'Map'] },
  { name: 'Musical', adjectives: ['Singing', 'Midnight', 'Jazz', 'Electric', 'Broadway', 'Blue'], nouns: ['Melody', 'Stage', 'Rhythm', 'Chorus', 'Serenade', 'Band'] },
  { name: 'War', adjectives: ['Burning', 'Steel', 'Fallen', 'Winter', 'Brave', 'Long'], nouns: ['Front', 'Battalion', 'Bridge', 'Trenches', 'Convoy', 'Ridge'] },
  { name: 'Crime', adjectives: ['Dirty', 'Crooked', 'Neon', 'Stolen', 'Dangerous', 'Black'], nouns: ['Heist', 'City', 'Money', 'Syndicate', 'Getaway', 'Diamonds'] },
  { name: 'Family', adjectives: ['Happy', 'Grand', 'Kind', 'Merry', 'Cozy', 'Lucky'], nouns: ['Holiday', 'Puppy', 'Treehouse', 'Grandpa', 'Farm', 'Summer'] },
];

const COMMON_ADJECTIVES = ['Red', 'Long', 'Bright', 'Golden', 'Dark', 'Open', 'Broken', 'Wild'];
const COMMON_NOUNS = ['River', 'Night', 'Road', 'House', 'Garden', 'Station', 'Mountain', 'Mirror'];
const FIRST_YEAR = 1950;
const YEARS = 74; // up to 2023

/** Genres of a cluster: one per cluster up to 16 clusters, a distinct pair beyond that. */
export function clusterGenres(cluster: number): string[] {
  const n = GENRES.length;
  const primary = GENRES[cluster % n].name;
  if (cluster < n) return [primary];
  // Cluster c ≥ 16 pairs its genre with the one ⌊c/16⌋ places on: no two clusters share a pair (up to 16 × 16).
  const step = 1 + ((Math.floor(cluster / n) - 1) % (n - 1));
  return [primary, GENRES[(cluster + step) % n].name];
}

/** Titles and genres by external id (row + 1) for items whose cluster is itemCluster[row]. */
export function syntheticItemMetadata(itemCluster: Int32Array): Map<number, ItemDetails> {
  const metadata = new Map<number, ItemDetails>();
  const used = new Set<string>();
  for (let row = 0; row < itemCluster.length; row++) {
    const id = row + 1;
    const genres = clusterGenres(itemCluster[row]);
    const genre = GENRES[itemCluster[row] % GENRES.length];
    const rng = new SeededRandom(`title:${id}:${genre.name}`);
    let title = makeTitle(rng, genre);
    // Redraw a repeat a few times; a rare survivor gets a sequel number.
    for (let attempt = 0; attempt < 8 && used.has(title); attempt++) title = makeTitle(rng, genre);
    for (let sequel = 2; used.has(title); sequel++) title = title.replace(/( \d+)? \((\d{4})\)$/, ` ${sequel} ($2)`);
    used.add(title);
    metadata.set(id, { title, genres });
  }
  return metadata;
}

function makeTitle(rng: SeededRandom, g: Genre): string {
  const adjective = rng.next() < 0.7 ? pick(rng, g.adjectives) : pick(rng, COMMON_ADJECTIVES);
  const noun = rng.next() < 0.7 ? pick(rng, g.nouns) : pick(rng, COMMON_NOUNS);
  let other = pick(rng, g.nouns);
  while (other === noun) other = pick(rng, COMMON_NOUNS);
  const pattern = rng.int(4);
  const words =
    pattern === 0 ? `The ${adjective} ${noun}`
    : pattern === 1 ? `${noun} of the ${other}`
    : pattern === 2 ? `${adjective} ${noun}`
    : `The ${noun} and the ${other}`;
  return `${words} (${FIRST_YEAR + rng.int(YEARS)})`;
}

function pick<T>(rng: SeededRandom, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}
