/** A pre-started worker of bench/multithread-scaling.ts: runs one recipe call per command. */
import { serve } from '../lib/threads.js';
import { runTask, type RecipeTask } from './recipe-tasks.js';

serve((command) => runTask(command.task as RecipeTask, command.dir as string, command.name as string));
