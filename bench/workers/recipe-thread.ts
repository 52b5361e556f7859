/**
 * The recipe's thread body, as a module for `new Thread(url, { workerData })`: one call of the task,
 * then the thread ends (Python's `Thread.run` calling `function_to_run()`).
 */
import { workerData } from 'node:worker_threads';
import { runTask, type RecipeTask } from './recipe-tasks.js';

const { task, dir, name } = workerData as { task: RecipeTask; dir: string; name: string };
runTask(task, dir, name);
