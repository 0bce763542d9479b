import scala.math._
import scala.collection.mutable._
object Problem {
    // Return the number of distinct characters, ignoring case.
    def countDistinctCharacters(string : String) : Long = {
        string.toLowerCase.toSet.size.toLong
    }
    def main(args: Array[String]) = {
    assert(countDistinctCharacters(("")) == (0l));
    assert(countDistinctCharacters(("abcde")) == (5l));
    assert(countDistinctCharacters(("abcdecadeCADE")) == (5l));
    assert(countDistinctCharacters(("aaaaAAAAaaaa")) == (1l));
    }

}
