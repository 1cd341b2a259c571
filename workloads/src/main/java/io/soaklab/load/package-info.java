/** Load models: who starts which call when, and how late the generator itself was. */
package io.soaklab.load;
