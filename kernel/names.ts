// Random container names in Docker's adjective_surname style.
import { randomInt } from 'node:crypto';

const LEFT = ['admiring', 'brave', 'busy', 'clever', 'cool', 'dreamy', 'eager', 'elated', 'focused', 'gifted', 'happy',
  'hopeful', 'jolly', 'keen', 'kind', 'loving', 'nifty', 'peaceful', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic',
  'tender', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous'];
const RIGHT = ['albattani', 'babbage', 'bohr', 'curie', 'darwin', 'einstein', 'euler', 'fermi', 'galileo', 'hopper',
  'hypatia', 'johnson', 'kepler', 'lamport', 'lovelace', 'meitner', 'newton', 'noether', 'pasteur', 'ritchie',
  'shannon', 'thompson', 'torvalds', 'turing', 'wozniak'];

export function randomName(): string {
  return `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
}
