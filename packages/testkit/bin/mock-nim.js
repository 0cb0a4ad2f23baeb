#!/usr/bin/env node
import "../dist/cli/mock-nim.js";
